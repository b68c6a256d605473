import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";

export function registerServicePaths(_registry: OpenAPIRegistry): void {}
