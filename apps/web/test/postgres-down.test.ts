// The gateway with Postgres gone mid-flight: the web process reaches its database through a TCP
// relay the test cuts, so a request that needs the database answers the documented 503 with
// Retry-After rather than a made-up answer (the key itself is still in the few-second key cache).
import { randomBytes } from "node:crypto";
import net, { type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seed } from "@docgate/db";
import { createTestDatabase, type TestDatabase } from "@docgate/db/testing";
import { deleteRedisPrefix } from "../../../scripts/redis-prefix.mjs";
import { BOOTSTRAP_KEY, REDIS_URL } from "./harness";
import { expectError, params, request } from "./access-helpers";

let database: TestDatabase;
let relay: { url: string; cut(): Promise<void> };
const prefix = `dgtest-pgdown-${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  database = await createTestDatabase();
  await seed(database.db, { adminEmail: "admin@test.local", adminPassword: "correct horse battery", bootstrapApiKey: BOOTSTRAP_KEY });
  relay = await startRelay(database.url);
  process.env.DATABASE_URL = relay.url;
  process.env.REDIS_URL = REDIS_URL;
  process.env.DOCGATE_REDIS_PREFIX = prefix;
  process.env.BETTER_AUTH_SECRET = "test-secret-test-secret-test-secret";
});

afterAll(async () => {
  const { getDb } = await import("@docgate/db");
  await getDb().$disconnect();
  await database?.drop();
  await deleteRedisPrefix(REDIS_URL, prefix);
});

describe("with Postgres unreachable", () => {
  it("GET /api/v1/api-keys/{id} answers 503 with Retry-After, not 404", async () => {
    const { GET } = await import("~/app/api/v1/api-keys/[id]/route");
    const { id } = await database.db.apiKey.findFirstOrThrow({ where: { name: "bootstrap" } });
    const get = () => GET(request("GET", `/api/v1/api-keys/${id}`), params({ id }));
    expect((await get()).status).toBe(200); // and the key is now cached for a few seconds
    await relay.cut();
    const response = await get();
    await expectError(response, 503, "dependency_unavailable");
    expect(response.headers.get("retry-after")).toBeTruthy();
  });
});

/** A TCP relay to the database's server; `cut()` drops its connections and stops listening. */
async function startRelay(databaseUrl: string): Promise<{ url: string; cut(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    cut: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
