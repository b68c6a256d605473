import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";

export function registerAccessPaths(_registry: OpenAPIRegistry): void {}
