/**
 * True when an error says a backing store (Postgres, Redis) could not be reached or dropped
 * the connection, rather than that the work itself is wrong: such work is tried again later
 * (workers) or answered 503 with Retry-After (gateway), never failed for good.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return true;
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH",
  // The database host's name does not resolve for a moment (a restarting container); raw pg
  // errors carry these, where Prisma's adapter used to turn them into P1001.
  "ENOTFOUND", "EAI_AGAIN",
  // Postgres: too many connections; a deadlock or serialization failure (the work is fine: again later)
  "53300", "40P01", "40001",
  // Prisma: can't reach / timed out / closed the connection / pool timeout
  "P1001", "P1002", "P1008", "P1017", "P2024",
  // Postgres: admin shutdown, crash shutdown, cannot connect now, connection exceptions
  "57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006",
]);

const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|Connection terminated|Connection is closed|Can't reach database|DatabaseNotReachable|Unable to start a transaction in the given time|timeout exceeded when trying to connect|the database system is (shutting down|starting up|in recovery mode)|terminating connection|server closed the connection|connection error and is not queryable|Client was closed and is not queryable|Stream isn't writeable/i;

/**
 * Our own Postgres or Redis failed under work that is not at fault, where the original error
 * could not travel (a built-in MCP tool's read: only its message crosses the protocol).
 */
export class DependencyUnavailableError extends Error {}
