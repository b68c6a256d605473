import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";

export function registerModelPaths(_registry: OpenAPIRegistry): void {}
