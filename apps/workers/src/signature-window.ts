// The simhash signatures of the most recently assessed documents, mirrored in each quality
// worker's memory, where a near-duplicate look-up compares them (5,000 comparisons take ~50 µs
// here; the same scan in Postgres cost ~1.2 ms of database CPU per quality task once the table
// held 5,000 signed documents). Every quality worker appends the signature it saved to a Redis
// stream and reads what the others appended since its last read: the stream's order is one
// order for all, so nothing appended is skipped. Postgres keeps the signatures themselves
// (Document.simhash, written by the intake for text it extracted, else by the quality task); a
// process starts its mirror from there, so a wiped Redis only costs the signatures other
// workers save while it is empty of them. A signature the intake stored is in Postgres before
// its document is assessed (and stays if the assessment never happens): the exact look-up in
// Postgres and a freshly loaded window see it earlier than the windows of running workers do. Look-ups the window cannot answer
// (not loaded yet, or a document assessed again long after its upload) go to Postgres
// (quality-stores.ts).
import { fastSql, sql, type Db } from "@docgate/db";
import { halvesDistance, simhashHalves } from "@docgate/mcp";
import type { ChainableCommander, Redis } from "ioredis";

export type NearestSignature = { documentId: string; distance: number };

/** How long an append may wait for the worker's next read to carry it to the stream. */
const APPEND_DELAY_MS = 20;

/** A signature as the window holds it: the 64 bits as two 32-bit halves, and the document's creation time (ms). */
type Entry = { documentId: string; hi: number; lo: number; createdAtMs: number };

export class SignatureWindow {
  private readonly ids: (string | undefined)[];
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly createdAtMs: Float64Array;
  private readonly slotOf = new Map<string, number>();
  private next = 0;
  /** The last stream entry read; null until the window was loaded from Postgres. */
  private lastId: string | null = null;
  private loading: Promise<void> | null = null;
  /** The read in flight: concurrent look-ups share it instead of each reading the same entries. */
  private reading: Promise<void> | null = null;
  /** Appends not yet sent to the stream (document id, simhash, createdAt ms). */
  private pending: [string, string, string][] = [];
  private appendTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    private readonly streamKey: string,
    readonly size: number,
  ) {
    this.ids = new Array(size);
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.createdAtMs = new Float64Array(size);
  }

  /**
   * Reads what other workers appended since the last read (the first call loads the window from
   * Postgres), sending this worker's own pending appends in the same round trip. Look-ups that
   * ask while a read is on its way share it.
   */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  /**
   * Whether the window holds what a look-up for a document created at `createdAtMs` should
   * compare: once loaded, it holds every signed document when it is not full, else the most
   * recently assessed ones, which do not reach back before a document assessed again long after
   * its upload (its look-up must then go to Postgres).
   */
  covers(createdAtMs: number): boolean {
    if (this.lastId === null) return false;
    if (this.slotOf.size < this.size) return true;
    let oldest = Infinity;
    for (const at of this.createdAtMs) oldest = Math.min(oldest, at);
    return createdAtMs >= oldest;
  }

  private async read(): Promise<void> {
    if (this.lastId === null) {
      this.loading ??= this.load().finally(() => (this.loading = null));
      await this.loading;
    }
    for (;;) {
      const pipeline = this.redis.pipeline();
      this.sendPending(pipeline);
      pipeline.xread("COUNT", this.size, "STREAMS", this.streamKey, this.lastId!);
      const results = (await pipeline.exec()) ?? [];
      const [error, reply] = results.at(-1) ?? [new Error("The signature stream read got no answer.")];
      if (error) throw error;
      const entries = (reply as [string, [string, string[]][]][] | null)?.[0]?.[1] ?? [];
      for (const [id, fields] of entries) {
        this.lastId = id;
        const entry = fromFields(fields);
        if (entry) this.put(entry);
      }
      // A full batch may have more behind it (a worker that sat idle while others worked).
      if (entries.length < this.size) return;
    }
  }

  /**
   * Records a saved signature here at once, and for the other workers with this worker's next
   * read, or within APPEND_DELAY_MS when none comes (one round trip per look-up instead of two).
   * An append whose round trip fails, or still waiting when the process exits, is missed by the
   * other workers' windows only: Postgres has the signature, and their next start loads it.
   */
  append(documentId: string, simhash: string, createdAtMs: number): void {
    this.put(entry(documentId, simhash, createdAtMs));
    this.pending.push([documentId, simhash, String(createdAtMs)]);
    this.appendTimer ??= setTimeout(() => {
      const pipeline = this.redis.pipeline();
      this.sendPending(pipeline);
      // Lost appends only hide those signatures from the other workers.
      pipeline.exec().catch(() => {});
    }, APPEND_DELAY_MS);
    this.appendTimer.unref?.();
  }

  private sendPending(pipeline: ChainableCommander): void {
    if (this.appendTimer) clearTimeout(this.appendTimer);
    this.appendTimer = null;
    for (const [documentId, simhash, createdAtMs] of this.pending) {
      pipeline.xadd(this.streamKey, "MAXLEN", "~", this.size, "*", "d", documentId, "h", simhash, "t", createdAtMs);
    }
    this.pending = [];
  }

  /**
   * The closest signature within `maxDistance` bits of a document created no later than
   * `createdAtMs`, other than the document itself (ties: the most recently created).
   */
  nearest(documentId: string, simhash: string, createdAtMs: number, maxDistance: number): NearestSignature | null {
    const [hi, lo] = simhashHalves(simhash);
    let best = -1;
    let bestDistance = maxDistance + 1;
    // The distance first: nearly every slot is too far, and is then passed over without
    // comparing its id (uuidv7 strings of one period share their first characters).
    for (let slot = 0; slot < this.size; slot++) {
      const distance = halvesDistance(this.hi[slot]!, this.lo[slot]!, hi, lo);
      if (distance > bestDistance) continue;
      const id = this.ids[slot];
      if (id === undefined || id === documentId || this.createdAtMs[slot]! > createdAtMs) continue;
      if (distance < bestDistance || (best >= 0 && this.createdAtMs[slot]! > this.createdAtMs[best]!)) {
        best = slot;
        bestDistance = distance;
      }
    }
    return best >= 0 ? { documentId: this.ids[best]!, distance: bestDistance } : null;
  }

  /** The most recent signed documents from Postgres, from the stream's position at that moment on. */
  private async load(): Promise<void> {
    const last = (await this.redis.xrevrange(this.streamKey, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0";
    const rows = await fastSql(this.db).query<{ id: string; simhash: string; createdAtMs: number }>(sql`
      SELECT d."id", d."simhash", (extract(epoch FROM d."createdAt") * 1000)::float8 AS "createdAtMs"
      FROM "Document" d WHERE d."simhashBits" IS NOT NULL
      ORDER BY d."createdAt" DESC LIMIT ${this.size}`);
    for (const row of rows.reverse()) this.put(entry(row.id, row.simhash, Number(row.createdAtMs)));
    this.lastId = last;
  }

  /** Newest in, oldest out; a document already held keeps its slot with its latest signature. */
  private put(entry: Entry): void {
    let slot = this.slotOf.get(entry.documentId);
    if (slot === undefined) {
      slot = this.next;
      this.next = (this.next + 1) % this.size;
      const evicted = this.ids[slot];
      if (evicted !== undefined) this.slotOf.delete(evicted);
      this.ids[slot] = entry.documentId;
      this.slotOf.set(entry.documentId, slot);
    }
    this.hi[slot] = entry.hi;
    this.lo[slot] = entry.lo;
    this.createdAtMs[slot] = entry.createdAtMs;
  }
}

function fromFields(fields: string[]): Entry | null {
  const value = (name: string) => fields[fields.indexOf(name) + 1];
  const documentId = value("d");
  const simhash = value("h");
  const createdAtMs = Number(value("t"));
  if (!documentId || !simhash || !/^[0-9a-f]{16}$/.test(simhash) || !Number.isFinite(createdAtMs)) return null;
  return entry(documentId, simhash, createdAtMs);
}

function entry(documentId: string, simhash: string, createdAtMs: number): Entry {
  const [hi, lo] = simhashHalves(simhash);
  return { documentId, hi, lo, createdAtMs };
}
