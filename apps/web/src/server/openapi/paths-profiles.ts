import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { ProfileRulesSchema } from "@docgate/mcp";
import { CreateProfileInput, UpdateProfileInput } from "@docgate/orchestrator";
import { z } from "zod";
import { errors } from "./shared";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const ProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  version: z.number().int().meta({ description: "Bumped by every update; quality results name the version they were checked against." }),
  rules: ProfileRulesSchema,
  isDefault: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export function registerProfilePaths(registry: OpenAPIRegistry): void {
  const security = [{ apiKey: [] }];
  const ProfileRef = z.object({ id: z.string().meta({ description: "Profile id or name" }) });
  registry.registerPath({
    method: "get", path: "/api/v1/profiles", summary: "List quality validation profiles", security,
    description: "Every profile, the default first. A process request names one with the form field `profile`; the default applies otherwise.",
    responses: { 200: { description: "The profiles", ...json(z.array(ProfileSchema)) }, ...errors(401) },
  });
  registry.registerPath({
    method: "post", path: "/api/v1/profiles", summary: "Create a validation profile (admin)", security,
    request: { body: json(CreateProfileInput) },
    responses: { 201: { description: "The profile, version 1", ...json(ProfileSchema) }, ...errors(400, 401, 403, 409) },
  });
  registry.registerPath({
    method: "get", path: "/api/v1/profiles/{id}", summary: "A validation profile", security,
    request: { params: ProfileRef },
    responses: { 200: { description: "The profile", ...json(ProfileSchema) }, ...errors(401, 404) },
  });
  registry.registerPath({
    method: "patch", path: "/api/v1/profiles/{id}", summary: "Change a validation profile (admin); bumps its version", security,
    request: { params: ProfileRef, body: json(UpdateProfileInput) },
    responses: { 200: { description: "The profile with its new version", ...json(ProfileSchema) }, ...errors(400, 401, 403, 404) },
  });
}
