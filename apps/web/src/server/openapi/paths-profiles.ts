import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";

export function registerProfilePaths(_registry: OpenAPIRegistry): void {}
