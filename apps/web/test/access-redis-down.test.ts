// Access control with Redis unreachable: the per-key limit falls back to a per-process
// limiter (work is still accepted into Postgres), and signed requests answer 503 because
// replay cannot be ruled out.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@docgate/db";
import type { TestDatabase } from "@docgate/db/testing";
import { signRequest } from "~/server/access/signing";
import { startGatewayWithoutRedis } from "./harness";
import { expectError, params, request, routes } from "./access-helpers";

let database: TestDatabase;
let r: Awaited<ReturnType<typeof routes>>;

beforeAll(async () => {
  database = await startGatewayWithoutRedis("dgtest-access-down");
  r = await routes();
});

afterAll(async () => {
  await database?.drop();
});

describe("with Redis down", () => {
  it("admin routes work and the per-key limit still holds, per process", async () => {
    const { secret } = await createApiKey(database.db, { name: "limited", role: "admin", rateLimitPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await r.users.GET(request("GET", "/api/v1/users", { key: secret }), params());
      expect(response.status).toBe(200);
      expect(response.headers.get("x-ratelimit-limit")).toBe("2");
    }
    const limited = await r.users.GET(request("GET", "/api/v1/users", { key: secret }), params());
    expect(limited.headers.get("retry-after")).toBeTruthy();
    await expectError(limited, 429, "rate_limited");
  });

  it("signed requests answer 503 with Retry-After (replay cannot be checked)", async () => {
    const { row, secret } = await createApiKey(database.db, { name: "signed", role: "admin", requireSignature: true });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const id = randomUUID();
    const response = await r.key.GET(new Request(`http://127.0.0.1/api/v1/api-keys/${id}`, {
      headers: { authorization: `Bearer ${secret}`, "x-docgate-timestamp": timestamp, "x-docgate-signature": signRequest(row.signingSecret!, { method: "GET", path: `/api/v1/api-keys/${id}`, timestamp }) },
    }), params({ id }));
    expect(response.headers.get("retry-after")).toBeTruthy();
    await expectError(response, 503, "dependency_unavailable");
  });
});
