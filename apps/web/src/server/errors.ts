import { DomainError } from "@docgate/db";
import { currentRequestContext, isDependencyUnavailable } from "@docgate/orchestrator";
import { observability, observeRequest } from "./observe";

/** The public error shape: {"error": {"code", "message"}} with the documented status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 from a zod failure, with the first problem in words. */
export function invalidInput(error: { issues: { path: PropertyKey[]; message: string }[] }): ApiError {
  const issue = error.issues[0];
  const where = issue?.path.length ? `\`${issue.path.map(String).join(".")}\`: ` : "";
  return new ApiError(400, "invalid_input", `${where}${issue?.message ?? "The request is invalid."}`);
}

export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers });
}

const isConnectionError = (error: unknown) => isDependencyUnavailable(error);

const DOMAIN_STATUS: Record<DomainError["kind"], number> = { invalid: 400, not_found: 404, conflict: 409, forbidden: 403, unavailable: 503 };

/**
 * Wraps a route handler: known errors become their JSON, everything else a 500 with no stack;
 * every request is observed (request id, log line, metrics, span: see observe.ts).
 */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    const request = args[0];
    return request instanceof Request ? observeRequest(request, () => answer(fn, args)) : answer(fn, args);
  };
}

async function answer<A extends unknown[]>(fn: (...args: A) => Promise<Response>, args: A): Promise<Response> {
  try {
    return await fn(...args);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error.status, error.code, error.message, error.headers);
    if (error instanceof DomainError) {
      const status = DOMAIN_STATUS[error.kind];
      return errorResponse(status, error.code, error.message, status === 503 ? { "Retry-After": "5" } : {});
    }
    if (isConnectionError(error)) {
      return errorResponse(503, "dependency_unavailable", "A backing service is unavailable; try again shortly.", { "Retry-After": "5" });
    }
    observability().logger.error({ err: error, requestId: currentRequestContext()?.requestId }, "unhandled error");
    return errorResponse(500, "internal_error", "Something went wrong on our side. The error was logged.");
  }
}
