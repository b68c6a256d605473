import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** What travels with one request, from the gateway into the jobs it creates. */
export type RequestContext = { requestId: string; traceparent?: string };

const storage = new AsyncLocalStorage<RequestContext>();

/** The caller's `X-Request-Id` when it is a sane token, else a new one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[A-Za-z0-9._:-]{8,128}$/.test(header) ? header : randomUUID();
}

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
