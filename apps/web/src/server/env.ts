import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "@docgate/db";
import { DEFAULT_REDIS_URL } from "@docgate/orchestrator";

const EnvSchema = z.object({
  PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().min(1).default(DEFAULT_REDIS_URL),
  DOCGATE_REDIS_PREFIX: z.string().min(1).default("docgate"),
  DOCGATE_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(26_214_400),
  DOCGATE_PUBLIC_URL: z.string().url().optional(),
  BETTER_AUTH_SECRET: z.string().min(16).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

/** Validated once; code reads env().X, never process.env.X. Empty strings count as unset. */
export function env(): Env {
  if (!cached) {
    const raw = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ""));
    cached = EnvSchema.parse(raw);
  }
  return cached;
}
