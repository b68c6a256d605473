import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Db, Prisma } from "@docgate/db";
import { writeAudit } from "@docgate/db";
import type { ModelSource } from "@docgate/mcp";
import { listLabelRules, type StoredLabelRule } from "@docgate/orchestrator";
import {
  ALGORITHM_VERSION, DEFAULT_CORPORA, deserializeModel, serializeModel, trainClassifier,
  type ClassifierModel, type Corpus, type ModelMetrics,
} from "@docgate/mcp/classification";
import { memoInTask } from "./task-scope";

export const DEFAULT_TAXONOMY = "genre";

/** How long a taxonomy's active-model lookup is reused: activation reaches workers within this. */
const ACTIVE_LOOKUP_TTL_MS = 2_000;

/**
 * Active models from Postgres, deserialised once per model id, with the taxonomy's label rules.
 * Within a task (task-scope.ts) every lookup answers with the model the task's first lookup
 * found: its cache key and its tool call name the same model even when an activation lands
 * between them (else one model's output would be cached under the other's key, and answered
 * from there after a rollback).
 */
export function createModelSource(db: Db, options: { activeLookupTtlMs?: number } = {}): ModelSource & {
  activeModelId(taxonomy?: string): Promise<string>;
  /** What besides the document decides a classification: the active model and the rules' version. */
  cacheVariant(taxonomy?: string): Promise<string>;
} {
  const loaded = new Map<string, Promise<ClassifierModel>>();
  // Rules by taxonomy id + rulesVersion: a changed rule set is a new version, so no staleness.
  const rulesCache = new Map<string, Promise<StoredLabelRule[]>>();
  function rulesFor(taxonomy: { id: string; rulesVersion: number }) {
    const key = `${taxonomy.id}@${taxonomy.rulesVersion}`;
    let rules = rulesCache.get(key);
    if (!rules) {
      if (rulesCache.size > 100) rulesCache.clear();
      rules = listLabelRules(db, taxonomy.id).then((r) => r.rules);
      rules.catch(() => rulesCache.delete(key));
      rulesCache.set(key, rules);
    }
    return rules;
  }
  const lookups = new Map<string, { until: number; row: Promise<Awaited<ReturnType<typeof lookupActive>>> }>();
  const ttlMs = options.activeLookupTtlMs ?? ACTIVE_LOOKUP_TTL_MS;
  // Every classification task asks twice (cache key, then the tool): one query pair serves both.
  function activeRow(taxonomyName?: string) {
    const key = taxonomyName ?? "";
    return memoInTask(`active-model:${key}`, () => {
      const now = Date.now();
      const hit = lookups.get(key);
      if (hit && hit.until > now) return hit.row;
      const row = lookupActive(taxonomyName);
      lookups.set(key, { until: now + ttlMs, row });
      row.catch(() => lookups.delete(key)); // a refusal (no model yet) is not remembered
      return row;
    });
  }
  async function lookupActive(taxonomyName?: string) {
    const taxonomy = taxonomyName
      ? await db.taxonomy.findUnique({ where: { name: taxonomyName } })
      : await db.taxonomy.findFirst({ where: { isDefault: true } });
    if (!taxonomy) throw new Error(taxonomyName ? `There is no taxonomy named "${taxonomyName}".` : "No default taxonomy is set.");
    const model = await db.model.findFirst({
      where: { taxonomyId: taxonomy.id, status: "active" },
      select: { id: true, version: true },
      orderBy: { version: "desc" },
    });
    if (!model) throw new Error(`Taxonomy "${taxonomy.name}" has no active model yet.`);
    return { taxonomy, model };
  }
  return {
    async activeModelId(taxonomy) {
      return (await activeRow(taxonomy)).model.id;
    },
    async cacheVariant(taxonomyName) {
      const { taxonomy, model } = await activeRow(taxonomyName);
      return `${model.id}:rules${taxonomy.rulesVersion}`;
    },
    async getActiveModel(taxonomyName) {
      const { taxonomy, model } = await activeRow(taxonomyName);
      // The promise is kept, so the first tasks after a start (or an activation) share one load of the artifact.
      let loading = loaded.get(model.id);
      if (!loading) {
        loading = db.model.findUniqueOrThrow({ where: { id: model.id }, select: { artifact: true } }).then((row) => {
          if (!row.artifact) throw new Error(`Model ${model.id} has no artifact.`);
          return deserializeModel(row.artifact);
        });
        loaded.set(model.id, loading);
        loading.catch(() => loaded.delete(model.id));
      }
      const classifier = await loading;
      const rules = taxonomy.rulesVersion > 0 ? await rulesFor(taxonomy) : [];
      return { id: model.id, version: model.version, taxonomy: taxonomy.name, model: classifier, rules };
    },
  };
}

type Trained = { artifact: Uint8Array; metrics: ModelMetrics };

/**
 * Trains the default taxonomies from corpora shipped in npm when they have no active model.
 * Training is deterministic, so the artifact is cached on disk by corpus and algorithm
 * version: a second database (tests, a reset) reuses it instead of training again.
 */
export async function ensureDefaultModels(db: Db, cacheDir: string, log: (line: string) => void = () => {}): Promise<void> {
  for (const corpus of Object.values(DEFAULT_CORPORA)) {
    const taxonomy = await db.taxonomy.upsert({
      where: { name: corpus.name },
      create: { name: corpus.name, description: corpus.description, labels: [...corpus.labels], isDefault: corpus.name === DEFAULT_TAXONOMY },
      update: {},
    });
    const hasModel = await db.model.count({ where: { taxonomyId: taxonomy.id, status: { in: ["active", "ready"] } } });
    if (hasModel > 0) continue;
    const trained = await trainOrLoad(corpus, cacheDir, log);
    await db.$transaction(async (tx) => {
      const last = await tx.model.findFirst({ where: { taxonomyId: taxonomy.id }, orderBy: { version: "desc" }, select: { version: true } });
      const model = await tx.model.create({
        data: {
          taxonomyId: taxonomy.id,
          version: (last?.version ?? 0) + 1,
          status: "active",
          algorithm: ALGORITHM_VERSION,
          metrics: trained.metrics as unknown as Prisma.InputJsonObject,
          artifact: new Uint8Array(trained.artifact),
          activatedAt: new Date(),
        },
      });
      await writeAudit(tx, {
        actor: { type: "system" },
        action: "model.activate",
        target: model.id,
        metadata: { taxonomy: corpus.name, version: model.version, accuracy: trained.metrics.accuracy, via: "default-corpus" },
      });
    });
    log(`Trained default taxonomy "${corpus.name}": held-out accuracy ${trained.metrics.accuracy.toFixed(3)}, macro-F1 ${trained.metrics.macroF1.toFixed(3)}.`);
  }
}

async function trainOrLoad(corpus: Corpus, cacheDir: string, log: (line: string) => void): Promise<Trained> {
  const dir = path.join(cacheDir, "models");
  // The corpus revision too: a model trained on other texts is not the one the metrics describe.
  const base = path.join(dir, `${corpus.name}-r${corpus.revision}-${ALGORITHM_VERSION}`);
  if (existsSync(`${base}.bin`) && existsSync(`${base}.json`)) {
    try {
      const artifact = new Uint8Array(readFileSync(`${base}.bin`));
      deserializeModel(artifact); // refuse a damaged cache file here rather than at first use
      return { artifact, metrics: JSON.parse(readFileSync(`${base}.json`, "utf8")) as ModelMetrics };
    } catch {
      log(`Ignoring a damaged model cache at ${base}.bin.`);
    }
  }
  log(`Training default taxonomy "${corpus.name}" (first start only)…`);
  const { model, metrics } = trainClassifier(await corpus.load());
  const artifact = serializeModel(model);
  mkdirSync(dir, { recursive: true });
  const tmp = `${base}.${process.pid}.tmp`;
  writeFileSync(`${tmp}.bin`, artifact);
  writeFileSync(`${tmp}.json`, JSON.stringify(metrics));
  renameSync(`${tmp}.bin`, `${base}.bin`);
  renameSync(`${tmp}.json`, `${base}.json`);
  return { artifact, metrics };
}
