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
  document: z.string().meta({ format: "binary", description: "The document: PDF, DOCX, HTML or plain text; the type is read from the bytes." }),
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
    services: z.array(z.object({ name: z.string(), status: z.enum(["up", "down"]), instances: z.array(z.unknown()) }).passthrough()),
  })
  .meta({ id: "Health" });
