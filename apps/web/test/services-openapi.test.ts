// The OpenAPI document lists the service registry and metrics endpoints.
import { it, expect } from "vitest";
it("documents GET/PATCH /api/v1/services and /api/metrics", async () => {
  const { openApiDocument } = await import("~/server/openapi");
  const doc = openApiDocument() as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/services", "/api/v1/services/{name}", "/api/metrics"]));
});
