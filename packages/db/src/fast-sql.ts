// Hot-path SQL straight on the pg pool Prisma's adapter also uses. Prisma's client spends about
// 240 µs of CPU on each raw statement before pg sees it (317 µs against pg's 75 µs, measured in
// bench/results/e2e.md); the few statements every document runs (intake, task start and result,
// the document's text) go this way. Everything else stays on Prisma.
import { createHash } from "node:crypto";
import pg from "pg";

/** A piece of SQL with its values; fragments nest (`sql\`… ${sql\`…\`} …\``) and are numbered once. */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  return new SqlFragment(strings, values);
}

/** A moment as our `timestamp(3)` columns hold it (UTC, as Prisma writes them). */
export const utcTimestamp = (at: Date): SqlFragment => sql`(${at.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** `$1`, `$2`… in order of appearance, nested fragments flattened. */
export function compileSql(fragment: SqlFragment): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const walk = (f: SqlFragment): string =>
    f.strings.reduce((text, piece, i) => {
      if (i === 0) return piece;
      const value = f.values[i - 1];
      if (value instanceof SqlFragment) return `${text}${walk(value)}${piece}`;
      values.push(value);
      return `${text}$${values.length}${piece}`;
    }, "");
  return { text: walk(fragment), values };
}

// `timestamp` columns hold UTC (as Prisma writes them): read them as UTC, whatever TZ says.
const TIMESTAMP_OID = 1114;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? (value: string) => new Date(`${value.replace(" ", "T")}Z`)
      : pg.types.getTypeParser(oid, format as "text")) as pg.CustomTypesConfig["getTypeParser"],
};

// Named statements are parsed (and, after a few runs, planned) once per connection instead of on
// every call; our statements are a few dozen fixed texts, so the per-connection cache stays small.
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `dg_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    if (names.size < 1_000) names.set(text, name);
  }
  return name;
}

export type SqlRunner = {
  /** One statement; its rows. `onSent`: called once the statement has been written to its connection. */
  query<T extends object>(fragment: SqlFragment, options?: { onSent?: () => void }): Promise<T[]>;
  /** BEGIN … COMMIT on one connection (ROLLBACK when `fn` throws). */
  transaction<T>(fn: (query: SqlRunner["query"]) => Promise<T>): Promise<T>;
};

/**
 * Whether a failed statement left its connection unusable. Postgres's own refusals (a constraint,
 * a raised exception, a bad value) leave it as good as before; lost connections and the server's
 * connection and shutdown errors (SQLSTATE classes 08 and 57P) do not.
 */
export function connectionIsBroken(error: unknown): boolean {
  return !(error instanceof pg.DatabaseError) || typeof error.code !== "string" || /^(08|57P)/.test(error.code);
}

export function createSqlRunner(pool: pg.Pool, onStatement?: (text: string) => void): SqlRunner {
  const run = async <T extends object>(client: pg.PoolClient, fragment: SqlFragment, onSent?: () => void): Promise<T[]> => {
    const { text, values } = compileSql(fragment);
    onStatement?.(text);
    const answer = client.query<T>({ name: statementName(text), text, values, types });
    // A checked-out connection is idle: pg writes the statement to its socket within the call.
    onSent?.();
    return (await answer).rows;
  };
  const checkOut = async () => {
    const client = await pool.connect();
    // A connection that dies while checked out emits 'error' besides failing its query: without
    // a listener that event would end the process (seen when Postgres stops under load).
    const ignore = () => {};
    client.on("error", ignore);
    const release = (error?: Error) => {
      client.off("error", ignore);
      client.release(error);
    };
    return { client, release };
  };
  return {
    // Not pool.query: it throws away the connection on any error, also a statement's own
    // (and with it the connection's prepared statements), which costs a new backend each time.
    async query<T extends object>(fragment: SqlFragment, options?: { onSent?: () => void }) {
      const { client, release } = await checkOut();
      try {
        const rows = await run<T>(client, fragment, options?.onSent);
        release();
        return rows;
      } catch (error) {
        release(connectionIsBroken(error) ? (error as Error) : undefined);
        throw error;
      }
    },
    async transaction(fn) {
      const { client, release } = await checkOut();
      try {
        await client.query("BEGIN");
        onStatement?.("BEGIN");
        const result = await fn((fragment) => run(client, fragment));
        await client.query("COMMIT");
        onStatement?.("COMMIT");
        release();
        return result;
      } catch (error) {
        // A connection that failed mid-transaction is not given back to the pool.
        await client.query("ROLLBACK").then(() => release(), (rollbackError: Error) => release(rollbackError));
        throw error;
      }
    },
  };
}
