// Postgres-backed stores the quality MCP server takes from its host: validation profiles and
// the simhash signatures of stored documents (Document.simhash) for near-duplicate detection.
import type { Db } from "@docgate/db";
import { hammingDistance, type ProfileSource, type SignatureStore } from "@docgate/mcp";
import { listProfiles, resolveQualityProfile } from "@docgate/orchestrator";

/** How many recent earlier documents a near-duplicate lookup compares bit by bit. */
export const NEAR_DUPLICATE_WINDOW = 5_000;

export function createProfileSource(db: Db): ProfileSource {
  return {
    getProfile: (name) => resolveQualityProfile(db, name),
    async listProfiles() {
      return (await listProfiles(db)).map((p) => ({ name: p.name, version: p.version, description: p.description, isDefault: p.isDefault, rules: p.rules }));
    },
  };
}

export function createSignatureStore(db: Db): SignatureStore {
  return {
    async save(documentId, simhash) {
      await db.document.updateMany({ where: { id: documentId, OR: [{ simhash: null }, { NOT: { simhash } }] }, data: { simhash } });
    },
    async findNear(documentId, simhash, maxDistance) {
      const self = await db.document.findUnique({ where: { id: documentId }, select: { createdAt: true } });
      if (!self) return null;
      // Exact match first (indexed), then Hamming distance over the most recent earlier documents.
      const exact = await db.document.findFirst({
        where: { simhash, id: { not: documentId }, createdAt: { lte: self.createdAt } },
        orderBy: { createdAt: "asc" },
        select: { id: true },
      });
      if (exact) return { documentId: exact.id, distance: 0 };
      if (maxDistance <= 0) return null;
      const recent = await db.document.findMany({
        where: { simhash: { not: null }, id: { not: documentId }, createdAt: { lte: self.createdAt } },
        orderBy: { createdAt: "desc" },
        take: NEAR_DUPLICATE_WINDOW,
        select: { id: true, simhash: true },
      });
      let best: { documentId: string; distance: number } | null = null;
      for (const r of recent) {
        const d = hammingDistance(simhash, r.simhash!);
        if (d <= maxDistance && (!best || d < best.distance)) best = { documentId: r.id, distance: d };
      }
      return best;
    },
  };
}
