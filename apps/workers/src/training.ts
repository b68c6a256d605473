import type { Db, Prisma } from "@docgate/db";
import { activateModel } from "@docgate/orchestrator";
import {
  ALGORITHM_VERSION, DEFAULT_CORPORA, deserializeModel, evaluateClassifier, serializeModel, trainClassifier,
  type LabelledText,
} from "@docgate/mcp/classification";

export type TrainingOutcome = { status: "active" | "ready" | "failed"; reason: string };

/**
 * Trains one model version. A new version replaces the active one only when it scores at
 * least as well on the new version's own held-out split; otherwise it stays `ready` with the
 * reason recorded. A failure leaves the active model as it was.
 */
export async function trainModelVersion(db: Db, modelId: string): Promise<TrainingOutcome> {
  const row = await db.model.findUnique({ where: { id: modelId }, include: { taxonomy: true } });
  if (!row) return { status: "failed", reason: "The model row no longer exists." };
  if (row.status !== "training") return { status: "failed", reason: `Model is ${row.status}, not training.` };
  try {
    const stored = await db.trainingExample.findMany({ where: { taxonomyId: row.taxonomyId }, select: { text: true, label: true } });
    const examples: LabelledText[] = [...(await corpusFor(row.taxonomy.name)), ...stored];
    const { model, metrics, heldOut } = trainClassifier(examples);

    const active = await db.model.findFirst({ where: { taxonomyId: row.taxonomyId, status: "active" }, select: { id: true, version: true, artifact: true } });
    let activation: { activated: boolean; reason: string };
    if (!active?.artifact) {
      activation = { activated: true, reason: "No model was active." };
    } else {
      const incumbent = evaluateClassifier(deserializeModel(active.artifact), heldOut);
      activation = metrics.accuracy >= incumbent.accuracy
        ? { activated: true, reason: `Held-out accuracy ${metrics.accuracy} ≥ ${incumbent.accuracy} of active v${active.version} on the same examples.` }
        : { activated: false, reason: `Held-out accuracy ${metrics.accuracy} < ${incumbent.accuracy} of active v${active.version} on the same examples; v${active.version} stays active.` };
    }
    // Only a version still `training`: the reconcile round may have failed it meanwhile (its
    // queue entry was lost, failStrandedTrainings), and a failed version must not come back.
    const written = await db.$transaction(async (tx) => {
      const { count } = await tx.model.updateMany({
        where: { id: modelId, status: "training" },
        data: {
          status: "ready",
          algorithm: ALGORITHM_VERSION,
          metrics: { ...metrics, activation } as unknown as Prisma.InputJsonObject,
          artifact: serializeModel(model) as Uint8Array<ArrayBuffer>,
        },
      });
      if (count > 0 && activation.activated) await activateModel(db, modelId, { actor: { type: "system" } }, tx);
      return count > 0;
    });
    if (!written) return { status: "failed", reason: "The version was no longer training (failed as stranded meanwhile); its result was dropped." };
    return { status: activation.activated ? "active" : "ready", reason: activation.reason };
  } catch (error) {
    const reason = (error as Error).message || "Training failed.";
    await db.model.updateMany({ where: { id: modelId, status: "training" }, data: { status: "failed", error: reason } });
    return { status: "failed", reason };
  }
}

/** Default taxonomies keep learning from their corpus plus the examples people add. */
async function corpusFor(taxonomy: string): Promise<LabelledText[]> {
  const corpus = Object.values(DEFAULT_CORPORA).find((c) => c.name === taxonomy);
  return corpus ? corpus.load() : [];
}
