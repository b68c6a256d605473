// Taxonomies, training examples and model versions: the registry side of classification.
// Training itself runs in the workers (apps/workers/src/training.ts) from a `sys.train` job.
import type { AuditActor, Db, Prisma } from "@docgate/db";
import { writeAudit } from "@docgate/db";
import type { ModelSummary, TaxonomySummary } from "@docgate/mcp";
import { InvalidRuleError, MAX_RULES_PER_TAXONOMY, validateRule, type LabelRule, type RuleMatch } from "@docgate/mcp/classification";
import type { OrchestratorContext } from "./context";
import { DomainError } from "./errors";

export const TRAIN_QUEUE = "sys.train";
export const TRAIN_JOB_NAME = "model.train";
export const MAX_EXAMPLES_PER_REQUEST = 20_000;
export const MAX_EXAMPLE_CHARS = 200_000;
const LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _.\-/]{0,63}$/u;
const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

type Audit = { actor: AuditActor; ip?: string | null; userAgent?: string | null };

export async function createTaxonomy(db: Db, input: { name: string; labels: string[]; description?: string | null }, audit: Audit) {
  const name = input.name.trim().toLowerCase();
  if (!NAME.test(name)) throw new DomainError("invalid", "invalid_name", "A taxonomy name is 1–64 lowercase letters, digits, `-` or `_`.");
  const labels = [...new Set(input.labels.map((l) => l.trim()))];
  if (labels.length < 2) throw new DomainError("invalid", "too_few_labels", "A taxonomy needs at least two distinct labels.");
  if (labels.length > 200) throw new DomainError("invalid", "too_many_labels", "A taxonomy has at most 200 labels.");
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) throw new DomainError("invalid", "invalid_label", `Label ${JSON.stringify(bad.slice(0, 70))} is not allowed: use 1–64 letters, digits, spaces or _ . - /.`);
  return db.$transaction(async (tx) => {
    if (await tx.taxonomy.findUnique({ where: { name } })) {
      throw new DomainError("conflict", "taxonomy_exists", `A taxonomy named "${name}" already exists.`);
    }
    const taxonomy = await tx.taxonomy.create({ data: { name, labels, description: input.description ?? null } });
    await writeAudit(tx, { ...audit, action: "taxonomy.create", target: taxonomy.id, metadata: { name, labels } });
    return taxonomy;
  });
}

export async function listTaxonomies(db: Db): Promise<TaxonomySummary[]> {
  const rows = await db.taxonomy.findMany({
    orderBy: { name: "asc" },
    include: {
      _count: { select: { examples: true } },
      models: { where: { status: "active" }, select: { id: true, version: true, metrics: true }, take: 1 },
    },
  });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    description: t.description,
    labels: t.labels,
    isDefault: t.isDefault,
    examples: t._count.examples,
    activeModel: t.models[0]
      ? { id: t.models[0].id, version: t.models[0].version, accuracy: (t.models[0].metrics as { accuracy?: number } | null)?.accuracy ?? null }
      : null,
  }));
}

export async function findTaxonomy(db: Db, idOrName: string) {
  const taxonomy = await db.taxonomy.findFirst({ where: { OR: [{ name: idOrName }, ...(isUuid(idOrName) ? [{ id: idOrName }] : [])] } });
  if (!taxonomy) throw new DomainError("not_found", "taxonomy_not_found", `There is no taxonomy ${JSON.stringify(idOrName.slice(0, 100))}.`);
  return taxonomy;
}

/** All or nothing: one example with an unknown label refuses the whole request. */
export async function addExamples(
  db: Db,
  taxonomyIdOrName: string,
  examples: { text: string; label: string }[],
  audit: Audit & { source?: string },
): Promise<{ added: number; total: number }> {
  const taxonomy = await findTaxonomy(db, taxonomyIdOrName);
  if (examples.length === 0) throw new DomainError("invalid", "no_examples", "Send at least one example.");
  if (examples.length > MAX_EXAMPLES_PER_REQUEST) {
    throw new DomainError("invalid", "too_many_examples", `Send at most ${MAX_EXAMPLES_PER_REQUEST} examples per request.`);
  }
  const known = new Set(taxonomy.labels);
  examples.forEach((example, i) => {
    if (!known.has(example.label)) {
      throw new DomainError("invalid", "unknown_label", `Example ${i}: label ${JSON.stringify(example.label.slice(0, 70))} is not in taxonomy "${taxonomy.name}" (${taxonomy.labels.join(", ")}).`);
    }
    if (!example.text.trim()) throw new DomainError("invalid", "empty_example", `Example ${i} has no text.`);
    if (example.text.length > MAX_EXAMPLE_CHARS) throw new DomainError("invalid", "example_too_long", `Example ${i} is longer than ${MAX_EXAMPLE_CHARS} characters.`);
  });
  return db.$transaction(async (tx) => {
    const { count } = await tx.trainingExample.createMany({
      data: examples.map((e) => ({ taxonomyId: taxonomy.id, text: e.text.replaceAll("\u0000", ""), label: e.label, source: audit.source ?? "api" })),
    });
    await writeAudit(tx, {
      ...audit,
      action: "taxonomy.add_examples",
      target: taxonomy.id,
      metadata: { count, labels: [...new Set(examples.map((e) => e.label))], source: audit.source ?? "api" },
    });
    const total = await tx.trainingExample.count({ where: { taxonomyId: taxonomy.id } });
    return { added: count, total };
  });
}

/**
 * Creates a `training` model version and queues its training. Refuses up front what cannot
 * train (fewer than two labels with two examples each), so no version is created in vain.
 */
export async function requestTraining(ctx: OrchestratorContext, taxonomyIdOrName: string, audit: Audit & { extraExamples?: boolean }) {
  const taxonomy = await findTaxonomy(ctx.db, taxonomyIdOrName);
  const counts = await ctx.db.trainingExample.groupBy({ by: ["label"], where: { taxonomyId: taxonomy.id }, _count: { _all: true } });
  const trainable = counts.filter((c) => c._count._all >= 2).length;
  if (trainable < 2 && !audit.extraExamples) {
    throw new DomainError("invalid", "not_enough_examples", `Taxonomy "${taxonomy.name}" needs at least two labels with two examples each before it can train.`);
  }
  const model = await ctx.db.$transaction(async (tx) => {
    const running = await tx.model.findFirst({ where: { taxonomyId: taxonomy.id, status: "training" }, select: { id: true } });
    if (running) throw new DomainError("conflict", "training_in_progress", `Taxonomy "${taxonomy.name}" is already training (model ${running.id}).`);
    const last = await tx.model.findFirst({ where: { taxonomyId: taxonomy.id }, orderBy: { version: "desc" }, select: { version: true } });
    const created = await tx.model.create({
      data: { taxonomyId: taxonomy.id, version: (last?.version ?? 0) + 1, status: "training", algorithm: "pending" },
    });
    await writeAudit(tx, { ...audit, action: "model.train", target: created.id, metadata: { taxonomy: taxonomy.name, version: created.version } });
    return created;
  });
  try {
    await ctx.queue(TRAIN_QUEUE).add(TRAIN_JOB_NAME, { v: 1, modelId: model.id }, { jobId: `train-${model.id}`, attempts: 1, removeOnComplete: 100, removeOnFail: 100 });
  } catch {
    await ctx.db.model.update({ where: { id: model.id }, data: { status: "failed", error: "The training queue was unavailable; try again." } });
    throw new DomainError("unavailable", "queue_unavailable", "The training queue is unavailable; try again shortly.");
  }
  return { modelId: model.id, version: model.version };
}

/** How old a `training` model must be before its queue entry is looked at (its intake adds the entry after the row). */
const TRAINING_GRACE_MS = 30_000;

/**
 * Fails the model versions left `training` with no training under way: their queue entry is
 * gone (Redis lost it) or ended without the version's own write (the trainer died, or Postgres
 * was down when it tried to record the end). Without this the taxonomy could never train again
 * (`training_in_progress`). The entry is read before the row is changed: a training that ended
 * normally wrote its version before its entry ended, so only versions still `training` then
 * are failed. Returns their ids.
 */
export async function failStrandedTrainings(ctx: OrchestratorContext, options: { graceMs?: number } = {}): Promise<string[]> {
  const before = new Date(Date.now() - (options.graceMs ?? TRAINING_GRACE_MS));
  const training = await ctx.db.model.findMany({ where: { status: "training", createdAt: { lt: before } }, select: { id: true }, take: 100 });
  const stranded: string[] = [];
  for (const { id } of training) {
    const entry = await ctx.queue(TRAIN_QUEUE).getJob(`train-${id}`);
    const state = entry ? await entry.getState() : "missing";
    if (!["missing", "unknown", "completed", "failed"].includes(state)) continue;
    const { count } = await ctx.db.model.updateMany({
      where: { id, status: "training" },
      data: { status: "failed", error: state === "missing" || state === "unknown" ? "The training was lost from its queue; train again." : "Training stopped without recording a result; train again." },
    });
    if (count > 0) stranded.push(id);
  }
  return stranded;
}

export async function getModel(db: Db, id: string): Promise<ModelSummary | null> {
  if (!isUuid(id)) return null;
  const model = await db.model.findUnique({ where: { id }, include: { taxonomy: { select: { name: true } } } });
  if (!model) return null;
  const metrics = (model.metrics ?? null) as (ModelSummary["metrics"] & { activation?: ModelSummary["activation"] }) | null;
  const { activation = null, ...rest } = metrics ?? ({} as NonNullable<typeof metrics>);
  return {
    id: model.id,
    taxonomy: model.taxonomy.name,
    version: model.version,
    status: model.status,
    algorithm: model.algorithm,
    metrics: metrics ? (rest as ModelSummary["metrics"]) : null,
    activation,
    error: model.error,
    createdAt: model.createdAt.toISOString(),
    activatedAt: model.activatedAt?.toISOString() ?? null,
  };
}

export async function listModels(db: Db, taxonomyIdOrName: string): Promise<ModelSummary[]> {
  const taxonomy = await findTaxonomy(db, taxonomyIdOrName);
  const rows = await db.model.findMany({ where: { taxonomyId: taxonomy.id }, orderBy: { version: "desc" }, select: { id: true } });
  return (await Promise.all(rows.map((r) => getModel(db, r.id)))).filter((m): m is ModelSummary => m !== null);
}

/**
 * Makes a ready (or earlier) version the active one; the previous active version becomes
 * `ready`, so rolling back is activating it again. Cached results keyed by model id stop
 * being used at once.
 */
export async function activateModel(db: Db, id: string, audit: Audit, tx?: Prisma.TransactionClient): Promise<ModelSummary> {
  const run = async (t: Prisma.TransactionClient) => {
    const model = isUuid(id) ? await t.model.findUnique({ where: { id } }) : null;
    if (!model) throw new DomainError("not_found", "model_not_found", "There is no model with this id.");
    if (model.status === "active") return;
    if (model.status !== "ready" && model.status !== "archived") {
      throw new DomainError("conflict", "model_not_ready", `Model v${model.version} is ${model.status}; only a ready model can be activated.`);
    }
    const previous = await t.model.findFirst({ where: { taxonomyId: model.taxonomyId, status: "active" }, select: { id: true, version: true } });
    if (previous) await t.model.update({ where: { id: previous.id }, data: { status: "ready" } });
    await t.model.update({ where: { id }, data: { status: "active", activatedAt: new Date() } });
    await writeAudit(t, { ...audit, action: "model.activate", target: id, metadata: { version: model.version, previous: previous?.id ?? null } });
  };
  if (tx) await run(tx);
  else await db.$transaction(run);
  return (await getModel(db, id))!;
}

export type StoredLabelRule = LabelRule & { id: string };

/**
 * A taxonomy's label rules in evaluation order: the taxonomy's label order, then each
 * label's own order. The first rule that matches decides (classification/rules.ts).
 */
export async function listLabelRules(db: Db, taxonomyIdOrName: string): Promise<{ rulesVersion: number; rules: StoredLabelRule[] }> {
  const taxonomy = await findTaxonomy(db, taxonomyIdOrName);
  return { rulesVersion: taxonomy.rulesVersion, rules: await rulesOf(db, taxonomy) };
}

async function rulesOf(db: Db | Prisma.TransactionClient, taxonomy: { id: string; labels: string[] }): Promise<StoredLabelRule[]> {
  const rows = await db.labelRule.findMany({ where: { taxonomyId: taxonomy.id }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] });
  const order = new Map(taxonomy.labels.map((l, i) => [l, i]));
  return rows
    .map((r) => ({ id: r.id, label: r.label, match: r.match as RuleMatch, pattern: r.pattern, caseInsensitive: r.caseInsensitive, position: r.position }))
    .sort((a, b) => (order.get(a.label) ?? 1e9) - (order.get(b.label) ?? 1e9) || a.position - b.position)
    .map(({ position: _position, ...rule }) => rule);
}

/**
 * Replaces one label's rules (an empty list removes them), all or nothing, with its audit
 * row in the same transaction. Bumps the taxonomy's rulesVersion so cached classifications
 * made under the old rules are no longer used. A bad pattern or regex is a 400.
 */
export async function setLabelRules(
  db: Db,
  taxonomyIdOrName: string,
  label: string,
  rules: { match: RuleMatch; pattern: string; caseInsensitive?: boolean }[],
  audit: Audit,
): Promise<{ label: string; rulesVersion: number; rules: StoredLabelRule[] }> {
  const taxonomy = await findTaxonomy(db, taxonomyIdOrName);
  if (!taxonomy.labels.includes(label)) {
    throw new DomainError("invalid", "unknown_label", `Label ${JSON.stringify(label.slice(0, 70))} is not in taxonomy "${taxonomy.name}" (${taxonomy.labels.join(", ")}).`);
  }
  let checked: LabelRule[];
  try {
    checked = rules.map((r, i) => validateRule({ label, match: r.match, pattern: r.pattern, caseInsensitive: r.caseInsensitive ?? true }, i));
  } catch (err) {
    if (err instanceof InvalidRuleError) throw new DomainError("invalid", "invalid_rule", err.message);
    throw err;
  }
  return db.$transaction(async (tx) => {
    // Row lock on the taxonomy: concurrent edits of its rules apply one after the other.
    await tx.$queryRaw`SELECT 1 FROM "Taxonomy" WHERE id = ${taxonomy.id} FOR UPDATE`;
    const before = await tx.labelRule.findMany({ where: { taxonomyId: taxonomy.id, label }, orderBy: { position: "asc" } });
    const others = await tx.labelRule.count({ where: { taxonomyId: taxonomy.id, label: { not: label } } });
    if (others + checked.length > MAX_RULES_PER_TAXONOMY) {
      throw new DomainError("invalid", "too_many_rules", `A taxonomy has at most ${MAX_RULES_PER_TAXONOMY} rules; "${taxonomy.name}" would have ${others + checked.length}.`);
    }
    await tx.labelRule.deleteMany({ where: { taxonomyId: taxonomy.id, label } });
    if (checked.length) {
      await tx.labelRule.createMany({
        data: checked.map((r, position) => ({ taxonomyId: taxonomy.id, label, match: r.match, pattern: r.pattern, caseInsensitive: r.caseInsensitive, position })),
      });
    }
    const updated = await tx.taxonomy.update({ where: { id: taxonomy.id }, data: { rulesVersion: { increment: 1 } }, select: { rulesVersion: true } });
    await writeAudit(tx, {
      ...audit,
      action: "taxonomy.set_rules",
      target: taxonomy.id,
      metadata: {
        taxonomy: taxonomy.name,
        label,
        before: before.map((r) => ({ match: r.match, pattern: r.pattern, caseInsensitive: r.caseInsensitive })),
        after: checked.map((r) => ({ match: r.match, pattern: r.pattern, caseInsensitive: r.caseInsensitive })),
        rulesVersion: updated.rulesVersion,
      },
    });
    const all = await rulesOf(tx, taxonomy);
    return { label, rulesVersion: updated.rulesVersion, rules: all.filter((r) => r.label === label) };
  });
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
