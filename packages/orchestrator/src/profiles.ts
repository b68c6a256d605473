// Quality validation profiles: named, versioned, audited rule sets the quality service checks.
import type { AuditActor, Db, Prisma } from "@docgate/db";
import { fastSql, sql, writeAudit, type SqlFragment } from "@docgate/db";
import { DEFAULT_PROFILE, ProfileRulesSchema, type ProfileRules, type QualityProfile } from "@docgate/mcp";
import { z } from "zod";
import { DomainError } from "./errors";

type Audit = { actor: AuditActor; ip?: string | null; userAgent?: string | null };

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const CreateProfileInput = z
  .object({
    name: z.string().trim().regex(NAME, "A profile name is 1–64 lowercase letters, digits, `-` or `_`."),
    description: z.string().trim().max(500).nullable().optional(),
    rules: ProfileRulesSchema,
    isDefault: z.boolean().optional(),
  })
  .strict();
export type CreateProfileInput = z.infer<typeof CreateProfileInput>;

export const UpdateProfileInput = z
  .object({
    description: z.string().trim().max(500).nullable().optional(),
    rules: ProfileRulesSchema.optional(),
    isDefault: z.literal(true).optional().describe("Make this the default profile (the previous default stops being one)."),
  })
  .strict();
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

export type ProfileView = {
  id: string;
  name: string;
  description: string | null;
  version: number;
  rules: ProfileRules;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
};

type Row = { id: string; name: string; description: string | null; version: number; rules: Prisma.JsonValue; isDefault: boolean; createdAt: Date; updatedAt: Date };

function view(row: Row): ProfileView {
  const rules = ProfileRulesSchema.safeParse(row.rules);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    rules: rules.success ? rules.data : {},
    isDefault: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Makes sure a default profile exists: the built-in one ("default") when none is marked. Idempotent. */
export async function ensureDefaultProfile(db: Db): Promise<void> {
  if (await db.qualityProfile.findFirst({ where: { isDefault: true }, select: { id: true } })) return;
  await db.qualityProfile.createMany({
    data: [{ name: DEFAULT_PROFILE.name, description: DEFAULT_PROFILE.description ?? null, version: 1, rules: DEFAULT_PROFILE.rules as Prisma.InputJsonValue, isDefault: true }],
    skipDuplicates: true,
  });
}

export async function listProfiles(db: Db): Promise<ProfileView[]> {
  await ensureDefaultProfile(db);
  const rows = await db.qualityProfile.findMany({ orderBy: [{ isDefault: "desc" }, { name: "asc" }] });
  return rows.map(view);
}

export async function getProfile(db: Db, idOrName: string): Promise<ProfileView> {
  await ensureDefaultProfile(db);
  const row = await db.qualityProfile.findFirst({ where: { OR: [{ name: idOrName }, ...(isUuid(idOrName) ? [{ id: idOrName }] : [])] } });
  if (!row) throw new DomainError("not_found", "profile_not_found", `There is no quality profile ${JSON.stringify(idOrName.slice(0, 100))}.`);
  return view(row);
}

/**
 * A scalar subquery: the named profile, or the default when `name` is omitted, as one JSON
 * object (null when there is none). Every quality task needs it, so its start statement reads
 * it (TaskHandler.startWith) instead of a statement of its own.
 */
export function qualityProfileSql(name?: string): SqlFragment {
  const which = name === undefined ? sql`"isDefault" ORDER BY "updatedAt" DESC` : sql`"name" = ${name}::text`;
  return sql`(SELECT json_build_object('name', "name", 'description', "description", 'version', "version", 'rules', "rules", 'isDefault', "isDefault")
              FROM "QualityProfile" WHERE ${which} LIMIT 1)`;
}

type ProfileJson = { name: string; description: string | null; version: number; rules: unknown; isDefault: boolean };

/** What qualityProfileSql read, as the quality server takes it; null when it found none. */
export function qualityProfileFromJson(json: unknown): QualityProfile | null {
  if (!json) return null;
  const row = json as ProfileJson;
  const rules = ProfileRulesSchema.safeParse(row.rules);
  return { name: row.name, version: row.version, description: row.description, isDefault: row.isDefault, rules: rules.success ? rules.data : {} };
}

/** The named profile, or the default when `name` is omitted, as the quality server takes it; null when unknown. */
export async function resolveQualityProfile(db: Db, name?: string, alreadyRead?: unknown): Promise<QualityProfile | null> {
  // One statement (fast-sql.ts), or none when the task's start statement read it
  // (`alreadyRead`); the built-in default is written only when a lookup misses (a fresh database).
  const look = async () => qualityProfileFromJson((await fastSql(db).query<{ profile: unknown }>(sql`SELECT ${qualityProfileSql(name)} AS "profile"`))[0]?.profile);
  let profile = alreadyRead ? qualityProfileFromJson(alreadyRead) : await look();
  if (!profile) {
    await ensureDefaultProfile(db);
    profile = await look();
  }
  return profile ?? (name === undefined ? DEFAULT_PROFILE : null);
}

export async function createProfile(db: Db, input: CreateProfileInput, audit: Audit): Promise<ProfileView> {
  const data = CreateProfileInput.parse(input);
  await ensureDefaultProfile(db);
  return db.$transaction(async (tx) => {
    if (await tx.qualityProfile.findUnique({ where: { name: data.name }, select: { id: true } })) {
      throw new DomainError("conflict", "profile_exists", `A quality profile named "${data.name}" already exists.`);
    }
    if (data.isDefault) await tx.qualityProfile.updateMany({ where: { isDefault: true }, data: { isDefault: false } });
    const row = await tx.qualityProfile.create({
      data: { name: data.name, description: data.description ?? null, rules: data.rules as Prisma.InputJsonValue, isDefault: data.isDefault ?? false },
    });
    await writeAudit(tx, { ...audit, action: "profile.create", target: row.id, metadata: { name: row.name, version: row.version, rules: data.rules, isDefault: row.isDefault } as Prisma.InputJsonObject });
    return view(row);
  });
}

/** Changes a profile and bumps its version (so cached quality results for it are not reused). */
export async function updateProfile(db: Db, idOrName: string, input: UpdateProfileInput, audit: Audit): Promise<ProfileView> {
  const patch = UpdateProfileInput.parse(input);
  const current = await getProfile(db, idOrName);
  return db.$transaction(async (tx) => {
    if (patch.isDefault) await tx.qualityProfile.updateMany({ where: { isDefault: true, NOT: { id: current.id } }, data: { isDefault: false } });
    const row = await tx.qualityProfile.update({
      where: { id: current.id },
      data: {
        version: { increment: 1 },
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.rules !== undefined ? { rules: patch.rules as Prisma.InputJsonValue } : {}),
        ...(patch.isDefault ? { isDefault: true } : {}),
      },
    });
    await writeAudit(tx, {
      ...audit,
      action: "profile.update",
      target: row.id,
      metadata: { name: row.name, fromVersion: current.version, version: row.version, changes: patch } as Prisma.InputJsonObject,
    });
    return view(row);
  });
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
