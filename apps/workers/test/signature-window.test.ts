// Near-duplicate look-ups against the workers' signature window: started from Postgres, kept
// current through a Redis stream every quality worker appends to, and compared in memory.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fastSql, sql } from "@docgate/db";
import { eventually } from "@docgate/db/testing";
import { createWorkerRedis } from "@docgate/orchestrator";
import { createSignatureStore } from "../src/quality-stores";
import { SignatureWindow } from "../src/signature-window";
import { runInTaskScope } from "../src/task-scope";
import { useWorkerFixture } from "./fixture";

const fixture = useWorkerFixture();
const { redis, prefix } = fixture;
let streams = 0;
const newStream = () => `${prefix}:signatures:${++streams}`;

/** `base` with the lowest `bits` bits flipped (a signature that far away). */
const flip = (base: string, bits: number) => (BigInt(`0x${base}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(16, "0");
const A = "a5a5a5a5f0f0f0f0";
/** A signature ~32 bits away from A and from every other test's (what each test compares stays its own). */
const fresh = () => randomBytes(8).toString("hex");

async function storedDocument(simhash: string | null, createdAt: Date) {
  const id = `doc-${randomBytes(6).toString("hex")}`;
  await fixture.database.db.document.create({
    data: { id, sha256: randomBytes(32).toString("hex"), filename: `${id}.txt`, mimeType: "text/plain", sizeBytes: 1, bytes: Buffer.from("x"), simhash, createdAt },
  });
  return id;
}


describe("SignatureWindow", () => {
  it("starts from the most recent signatures in Postgres", async () => {
    const older = await storedDocument(flip(A, 3), new Date(Date.now() - 60_000));
    const recent = await storedDocument(flip(A, 8), new Date(Date.now() - 30_000));
    await storedDocument(null, new Date(Date.now() - 20_000)); // not assessed: no signature
    const window = new SignatureWindow(fixture.database.db, redis, newStream(), 2);
    await window.refresh();
    // Only the two most recent signed documents fit: both are there, the nearer one wins.
    expect(window.nearest("new", A, Date.now(), 10)).toEqual({ documentId: older, distance: 3 });
    expect(window.nearest("new", flip(A, 8), Date.now(), 10)).toEqual({ documentId: recent, distance: 0 });
  });

  it("sees what another worker appended, compares only earlier documents and stays within the distance", async () => {
    const stream = newStream();
    const mine = new SignatureWindow(fixture.database.db, redis, stream, 100);
    const theirs = new SignatureWindow(fixture.database.db, redis, stream, 100);
    await Promise.all([mine.refresh(), theirs.refresh()]);
    const B = fresh();
    const created = Date.now();
    theirs.append("theirs-1", flip(B, 4), created);
    await theirs.refresh(); // its next look-up carries the append to the stream
    await mine.refresh();
    expect(mine.nearest("mine", B, created + 1, 10)).toEqual({ documentId: "theirs-1", distance: 4 });
    expect(mine.nearest("mine", B, created - 1, 10)).toBeNull(); // created after the document looked up
    expect(mine.nearest("mine", B, created + 1, 3)).toBeNull(); // too far
    expect(mine.nearest("theirs-1", flip(B, 4), created + 1, 10)).toBeNull(); // never itself
  });

  it("sends an append that no later read carries within a moment", async () => {
    const stream = newStream();
    const quiet = new SignatureWindow(fixture.database.db, redis, stream, 10);
    const reader = new SignatureWindow(fixture.database.db, redis, stream, 10);
    await Promise.all([quiet.refresh(), reader.refresh()]);
    const D = fresh();
    quiet.append("alone", D, 1_000);
    await eventually(async () => {
      await reader.refresh();
      return reader.nearest("x", D, 2_000, 0);
    });
  });

  it("breaks ties towards the most recently created document", async () => {
    const window = new SignatureWindow(fixture.database.db, redis, newStream(), 10);
    await window.refresh();
    // Added newest first, so scanning order alone cannot pick the right one.
    window.append("second", flip(A, 2), 2_000);
    window.append("first", flip(A, 2), 1_000);
    window.append("nearer-but-later", flip(A, 1), 9_000);
    expect(window.nearest("x", A, 5_000, 10)).toEqual({ documentId: "second", distance: 2 });
  });

  it("keeps the newest signatures when more arrive than it holds, each document once", async () => {
    const stream = newStream();
    const writer = new SignatureWindow(fixture.database.db, redis, stream, 3);
    const reader = new SignatureWindow(fixture.database.db, redis, stream, 3);
    await Promise.all([writer.refresh(), reader.refresh()]);
    for (let i = 0; i < 7; i++) writer.append(`d${i}`, flip(A, i + 1), 1_000 + i);
    writer.append("d6", flip(A, 7), 1_006); // assessed again: same slot, not a new one
    await writer.refresh();
    await reader.refresh(); // one batch of 3 was full: it reads on until it has caught up
    expect(reader.nearest("x", A, 10_000, 64)).toEqual({ documentId: "d4", distance: 5 });
    expect(reader.nearest("x", flip(A, 1), 10_000, 64)).toEqual({ documentId: "d4", distance: 4 });
  });

  it("carries on after Redis lost the stream, keeping what it held", async () => {
    const stream = newStream();
    const window = new SignatureWindow(fixture.database.db, redis, stream, 10);
    await window.refresh();
    window.append("before", flip(A, 2), 1_000);
    await window.refresh();
    await redis.del(stream);
    // A stream made anew numbers its entries from the clock again: one added within the same
    // millisecond as this window's last read would sort before it and be skipped (a signature
    // the other windows miss, as when an append is lost). Let the clock move on first.
    const lostAt = Date.now();
    await eventually(async () => Date.now() > lostAt);
    const other = new SignatureWindow(fixture.database.db, redis, stream, 10);
    await other.refresh();
    other.append("after", flip(A, 1), 2_000);
    await other.refresh();
    await window.refresh();
    expect(window.nearest("x", A, 1_500, 10)).toEqual({ documentId: "before", distance: 2 });
    expect(window.nearest("x", A, 3_000, 10)).toEqual({ documentId: "after", distance: 1 });
  });
});

describe("createSignatureStore", () => {
  it("saves the signature, prefers an exact match from Postgres, and finds near ones in the window", async () => {
    const window = new SignatureWindow(fixture.database.db, redis, newStream(), 100);
    const store = createSignatureStore(fixture.database.db, window);
    const C = fresh();
    const t0 = Date.now() - 10_000;
    const original = await storedDocument(null, new Date(t0));
    const copy = await storedDocument(null, new Date(t0 + 1_000));
    const edited = await storedDocument(null, new Date(t0 + 2_000));
    expect(await store.saveAndFindNear(original, C, 10)).toBeNull();
    expect(await store.saveAndFindNear(copy, C, 10)).toEqual({ documentId: original, distance: 0 });
    expect(await store.saveAndFindNear(edited, flip(C, 5), 10)).toEqual({ documentId: copy, distance: 5 });
    expect((await fixture.database.db.document.findUniqueOrThrow({ where: { id: edited } })).simhash).toBe(flip(C, 5));
    // The original, assessed again later, is no near-duplicate of the documents that came after it.
    expect(await store.saveAndFindNear(original, C, 10)).toBeNull();
  });

  it("asks Postgres when the window does not reach back to the document (assessed again long after)", async () => {
    const window = new SignatureWindow(fixture.database.db, redis, newStream(), 3);
    const store = createSignatureStore(fixture.database.db, window);
    const E = fresh();
    const t0 = Date.now() - 3_600_000;
    const original = await storedDocument(null, new Date(t0));
    const edited = await storedDocument(null, new Date(t0 + 1_000));
    expect(await store.saveAndFindNear(original, E, 10)).toBeNull();
    for (let i = 0; i < 3; i++) await store.saveAndFindNear(await storedDocument(null, new Date()), fresh(), 10);
    // The window now holds only the three recent documents; the edited copy is older than all of them.
    expect(window.covers(t0 + 1_000)).toBe(false);
    expect(await store.saveAndFindNear(edited, flip(E, 3), 10)).toEqual({ documentId: original, distance: 3 });
  });

  it("takes the save and exact match its task's start statement made, for that signature only", async () => {
    const store = createSignatureStore(fixture.database.db, new SignatureWindow(fixture.database.db, redis, newStream(), 100));
    const G = fresh();
    const first = await storedDocument(G, new Date(Date.now() - 2_000));
    const second = await storedDocument(null, new Date());
    // The start statement's part, run as runTask runs it: the write as a CTE, the read in the select.
    const { write, read } = store.startWith(second, G);
    const [row] = await fastSql(fixture.database.db).query<{ found: unknown }>(sql`WITH handler_write AS (${write}) SELECT ${read} AS "found"`);
    expect((await fixture.database.db.document.findUniqueOrThrow({ where: { id: second } })).simhash).toBe(G);
    await runInTaskScope(async () => {
      store.provide(second, G, Promise.resolve(row!.found));
      expect(await store.saveAndFindNear(second, G, 10)).toEqual({ documentId: first, distance: 0 });
      // What the statement found is used as it is: a value it could not have found shows that.
      store.provide(second, flip(G, 1), Promise.resolve({ exactId: "found-by-the-start", createdAtMs: Date.now() }));
      expect(await store.saveAndFindNear(second, flip(G, 1), 10)).toEqual({ documentId: "found-by-the-start", distance: 0 });
      // Another signature (the tool hashed other text): its own statement, from Postgres.
      expect(await store.saveAndFindNear(second, flip(G, 2), 10)).toEqual({ documentId: first, distance: 2 });
    });
  });

  it("does not wait for Redis: with it unreachable, the look-up answers from Postgres", async () => {
    const unreachable = createWorkerRedis("redis://127.0.0.1:1", { retryStrategy: () => 1_000 });
    unreachable.on("error", () => {});
    try {
      const store = createSignatureStore(fixture.database.db, new SignatureWindow(fixture.database.db, unreachable, newStream(), 100));
      const F = fresh();
      const first = await storedDocument(F, new Date(Date.now() - 2_000));
      const second = await storedDocument(null, new Date());
      // Waiting for Redis would hang here until the test times out.
      expect(await store.saveAndFindNear(second, flip(F, 2), 10)).toEqual({ documentId: first, distance: 2 });
    } finally {
      unreachable.disconnect();
    }
  });
});
