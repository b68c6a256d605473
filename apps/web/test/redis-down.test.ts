// The gateway with Redis unreachable: health says so with 503, and an upload is still
// accepted into Postgres (queued, not enqueued) so the reconciler can enqueue it later.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "@docgate/db/testing";
import { SAMPLE_TEXT } from "../../../packages/mcp/test/fixtures";
import { form, post, startGatewayWithoutRedis } from "./harness";

let database: TestDatabase;

beforeAll(async () => {
  database = await startGatewayWithoutRedis("dgtest-down");
});

afterAll(async () => {
  await database?.drop();
});

describe("with Redis down", () => {
  it("GET /api/health answers 503 with Retry-After and names Redis", async () => {
    const { GET } = await import("~/app/api/health/route");
    const response = await GET();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBeTruthy();
    const health = (await response.json()) as { status: string; postgres: { status: string }; redis: { status: string } };
    expect(health).toMatchObject({ status: "down", postgres: { status: "up" }, redis: { status: "down" } });
  });

  it("still accepts a document: the job waits in Postgres for the reconciler", async () => {
    const { POST } = await import("~/app/api/v1/process/route");
    const response = await POST(post("/api/v1/process?wait=0", form({ document: { bytes: SAMPLE_TEXT, filename: "a.txt" } })));
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const job = await database.db.job.findUniqueOrThrow({ where: { id }, include: { tasks: true } });
    expect(job.status).toBe("queued");
    expect(job.enqueuedAt).toBeNull();
    expect(job.tasks).toHaveLength(2);
  });
});
