// The REST contract as zod: the same schemas validate requests and generate /api/openapi.json.
import { z } from "zod";

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string().meta({ example: "unknown_service" }), message: z.string() }) })
  .meta({ id: "Error" });

export const WaitQuerySchema = z.object({
  wait: z.coerce.number().min(0, "`wait` is a number of seconds, 0 or more.").max(120).default(30)
    .meta({ description: "Seconds to wait for the job to finish before answering 202 (0–120, default 30)." }),
});

export const ProcessFieldsSchema = z.object({
  services: z.array(z.string().min(1).max(100)).max(32, "Name at most 32 services.").default([])
    .meta({ description: "Services to run (repeat the field or separate with commas). Default: every enabled built-in service." }),
  taxonomy: z.string().trim().min(1).max(100).optional().meta({ description: "Classification taxonomy name. Default: the default taxonomy." }),
  profile: z.string().trim().min(1).max(100).optional().meta({ description: "Quality validation profile name." }),
});

export const ProcessFormSchema = ProcessFieldsSchema.extend({
  document: z.string().meta({ format: "binary", description: "The document: PDF, DOCX, HTML, Markdown, e-mail (.eml) or plain text; the type is read from the bytes." }),
}).meta({ id: "ProcessForm" });

const TaskErrorSchema = z.object({ code: z.string(), message: z.string() });

export const ServiceResultSchema = z
  .object({
    status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
    cached: z.boolean(),
    durationMs: z.number().int().nullable(),
    attempts: z.number().int(),
    output: z.unknown().nullable().meta({ description: "The service's structured output (see ClassificationOutput, QualityOutput)." }),
    error: TaskErrorSchema.nullable(),
  })
  .meta({ id: "ServiceResult" });

export const JobSchema = z
  .object({
    id: z.string(),
    status: z.enum(["queued", "running", "succeeded", "partial", "failed", "cancelled"]),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    services: z.array(z.string()),
    options: z.record(z.string(), z.unknown()),
    document: z.object({
      id: z.string(),
      filename: z.string(),
      mimeType: z.string(),
      sizeBytes: z.number().int(),
      sha256: z.string(),
      pages: z.number().int().nullable(),
    }),
    results: z.record(z.string(), ServiceResultSchema),
  })
  .meta({ id: "Job" });

export const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    postgres: z.object({ status: z.enum(["up", "down"]), latencyMs: z.number().nullable() }),
    redis: z.object({ status: z.enum(["up", "down"]), latencyMs: z.number().nullable() }),
    services: z.array(z.object({ name: z.string(), status: z.enum(["up", "degraded", "down"]), instances: z.array(z.unknown()) }).passthrough()),
  })
  .meta({ id: "Health" });

// ── Access control: API keys, users, audit ─────────────────────────────────────

const RoleSchema = z.enum(["admin", "operator", "viewer"]).meta({ id: "Role" });
const Timestamp = z.string().meta({ format: "date-time" });

export const ApiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1, "Give the key a name.").max(100),
    role: RoleSchema,
    services: z.array(z.string().min(1).max(100)).max(32).optional()
      .meta({ description: "Services the key may call; omitted or empty means all." }),
    rateLimitPerMinute: z.number().int().min(1).max(100_000).nullable().optional()
      .meta({ description: "Requests per minute (default 600)." }),
    dailyDocumentQuota: z.number().int().min(1).max(10_000_000).nullable().optional()
      .meta({ description: "Documents per UTC day (default unlimited)." }),
    maxConcurrentJobs: z.number().int().min(1).max(10_000).nullable().optional()
      .meta({ description: "Jobs queued or running at once (default 20)." }),
    requireSignature: z.boolean().optional()
      .meta({ description: "Issue a signing secret and refuse unsigned requests (X-Docgate-Timestamp, X-Docgate-Signature)." }),
    expiresAt: z.coerce.date().nullable().optional().meta({ type: "string", format: "date-time" }),
  })
  .strict()
  .meta({ id: "ApiKeyCreate" });

export const ApiKeyRollSchema = z
  .object({
    gracePeriodSeconds: z.number().int().min(0).max(7 * 24 * 3600).optional()
      .meta({ description: "How long the old secret keeps working (default 3600; 0 stops it now)." }),
    rotateSigningSecret: z.boolean().optional(),
  })
  .strict()
  .meta({ id: "ApiKeyRoll" });

export const ApiKeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    start: z.string().meta({ description: "The first characters of the secret, for recognising it." }),
    role: RoleSchema,
    services: z.array(z.string()),
    rateLimitPerMinute: z.number().int().nullable(),
    dailyDocumentQuota: z.number().int().nullable(),
    maxConcurrentJobs: z.number().int().nullable(),
    requireSignature: z.boolean(),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
    rolledAt: Timestamp.nullable(),
    previousExpiresAt: Timestamp.nullable().meta({ description: "Until when the secret before the last roll still works." }),
    createdAt: Timestamp,
    createdById: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });

export const IssuedApiKeySchema = ApiKeySchema.extend({
  key: z.string().meta({ description: "The secret. Shown this once; store it now." }),
  signingSecret: z.string().nullable().meta({ description: "The request-signing secret, when newly issued. Shown this once." }),
}).meta({ id: "IssuedApiKey" });

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeySchema) }).meta({ id: "ApiKeyList" });

export const UserCreateSchema = z
  .object({
    email: z.string().trim().toLowerCase().email("Give a valid email address.").max(254),
    password: z.string().min(8, "Use a password of at least 8 characters.").max(256),
    role: RoleSchema,
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .meta({ id: "UserCreate" });

export const UserPatchSchema = z
  .object({ role: RoleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => v.role !== undefined || v.disabled !== undefined, "Send `role` and/or `disabled`.")
  .meta({ id: "UserPatch" });

export const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, disabled: z.boolean(), createdAt: Timestamp, updatedAt: Timestamp })
  .meta({ id: "User" });

export const UserListSchema = z.object({ items: z.array(UserSchema) }).meta({ id: "UserList" });

const NOT_A_CURSOR = "Expected a row id (the previous page's nextCursor).";

/** An audit row id, as a page's `nextCursor` gives it: a Postgres bigint, so at most 2^63−1 (beyond, the query fails). */
export const AuditCursorSchema = z.string()
  .regex(/^\d{1,19}$/, { message: NOT_A_CURSOR, abort: true })
  .refine((v) => BigInt(v) <= 9_223_372_036_854_775_807n, NOT_A_CURSOR);

export const AuditQuerySchema = z.object({
  action: z.string().max(100).optional().meta({ description: "Exact action (`api_key.create`) or a prefix ending in `*` (`api_key.*`)." }),
  actor: z.string().max(100).optional().meta({ description: "Actor id (a user or API key id)." }),
  target: z.string().max(200).optional(),
  from: z.coerce.date().optional().meta({ type: "string", format: "date-time", description: "Inclusive lower bound on `at`." }),
  to: z.coerce.date().optional().meta({ type: "string", format: "date-time", description: "Exclusive upper bound on `at`." }),
  before: AuditCursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(["json", "csv"]).default("json"),
});

export const AuditRowSchema = z
  .object({
    id: z.string(), at: Timestamp, actorType: z.string(), actorId: z.string().nullable(), action: z.string(),
    target: z.string().nullable(), ip: z.string().nullable(), userAgent: z.string().nullable(), metadata: z.unknown(), hash: z.string(),
  })
  .meta({ id: "AuditRow" });

export const AuditPageSchema = z.object({ items: z.array(AuditRowSchema), nextCursor: z.string().nullable() }).meta({ id: "AuditPage" });

export const AuditVerifySchema = z
  .object({ ok: z.boolean(), checked: z.number().int(), firstBrokenId: z.string().nullable() })
  .meta({ id: "AuditVerify" });
