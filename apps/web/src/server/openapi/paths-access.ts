import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  ApiKeyCreateSchema, ApiKeyListSchema, ApiKeyRollSchema, ApiKeySchema, AuditPageSchema, AuditQuerySchema,
  AuditVerifySchema, IssuedApiKeySchema, UserCreateSchema, UserListSchema, UserPatchSchema, UserSchema,
} from "../api-schemas";
import { errors } from "./shared";

const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": { description: "Requests per minute allowed for this key", schema: { type: "integer" as const } },
  "X-RateLimit-Remaining": { description: "Requests left in the current window", schema: { type: "integer" as const } },
  "X-RateLimit-Reset": { description: "When the window resets (Unix seconds)", schema: { type: "integer" as const } },
};

/** API keys, users and the audit log: admin only (API key with the admin role, or an admin's session). */
export function registerAccessPaths(registry: OpenAPIRegistry): void {
  const security = [{ apiKey: [] }];
  const Id = z.object({ id: z.string() });
  const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
  const ok = <T extends z.ZodType>(description: string, schema: T, status = 200) => ({ [status]: { description, headers: RATE_LIMIT_HEADERS, content: json(schema) } });

  registry.registerPath({
    method: "post", path: "/api/v1/api-keys", tags: ["Access"], security,
    summary: "Create an API key",
    description: "Answers with the secret (`key`) and, with `requireSignature`, the signing secret: shown this once. Audited as `api_key.create`.",
    request: { body: { content: json(ApiKeyCreateSchema) } },
    responses: { ...ok("The new key with its secret", IssuedApiKeySchema, 201), ...errors(400, 401, 403, 415, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/api-keys", tags: ["Access"], security,
    summary: "List API keys (never their secrets)",
    responses: { ...ok("Every key, newest first", ApiKeyListSchema), ...errors(401, 403, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/api-keys/{id}", tags: ["Access"], security,
    summary: "Get an API key", request: { params: Id },
    responses: { ...ok("The key", ApiKeySchema), ...errors(401, 403, 404, 429) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/api-keys/{id}/roll", tags: ["Access"], security,
    summary: "Roll an API key's secret",
    description: "Issues a new secret (shown once). The old one keeps working for `gracePeriodSeconds` (default 3600). Audited as `api_key.roll`.",
    request: { params: Id, body: { required: false, content: json(ApiKeyRollSchema) } },
    responses: { ...ok("The key with its new secret", IssuedApiKeySchema), ...errors(400, 401, 403, 404, 409, 429) },
  });
  registry.registerPath({
    method: "delete", path: "/api/v1/api-keys/{id}", tags: ["Access"], security,
    summary: "Revoke an API key",
    description: "Stops working within 5 seconds on every web instance. Idempotent. Audited as `api_key.revoke`.",
    request: { params: Id },
    responses: { ...ok("The revoked key", ApiKeySchema), ...errors(401, 403, 404, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/users", tags: ["Access"], security,
    summary: "List users", responses: { ...ok("Every user", UserListSchema), ...errors(401, 403, 429) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/users", tags: ["Access"], security,
    summary: "Create a user (email and password sign-in)",
    request: { body: { content: json(UserCreateSchema) } },
    responses: { ...ok("The new user", UserSchema, 201), ...errors(400, 401, 403, 409, 415, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/users/{id}", tags: ["Access"], security,
    summary: "Get a user", request: { params: Id },
    responses: { ...ok("The user", UserSchema), ...errors(401, 403, 404, 429) },
  });
  registry.registerPath({
    method: "patch", path: "/api/v1/users/{id}", tags: ["Access"], security,
    summary: "Change a user's role or disable them",
    description: "The last active admin can be neither demoted nor disabled (409 `last_admin`). Disabling ends the user's sessions. Audited as `user.update`.",
    request: { params: Id, body: { content: json(UserPatchSchema) } },
    responses: { ...ok("The user", UserSchema), ...errors(400, 401, 403, 404, 409, 415, 429) },
  });
  registry.registerPath({
    method: "delete", path: "/api/v1/users/{id}/sessions", tags: ["Access"], security,
    summary: "Log a user out everywhere", request: { params: Id },
    responses: { ...ok("How many sessions ended", z.object({ ended: z.number().int() })), ...errors(401, 403, 404, 429) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/audit", tags: ["Access"], security,
    summary: "Read the audit log",
    description: "Newest first. Page with `before=<nextCursor>`. `format=csv` answers text/csv (next page cursor in `X-Next-Cursor`).",
    request: { query: AuditQuerySchema },
    responses: {
      200: { description: "A page of audit rows", headers: RATE_LIMIT_HEADERS, content: { ...json(AuditPageSchema), "text/csv": { schema: { type: "string" } } } },
      ...errors(400, 401, 403, 429),
    },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/audit/verify", tags: ["Access"], security,
    summary: "Verify the audit hash chain",
    description: "Re-computes every row's hash and its link to the row before; names the first row that fails.",
    responses: { ...ok("The result", AuditVerifySchema), ...errors(401, 403, 429) },
  });
}
