import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Lookups shared by everything one task does (its cache key, then the MCP tool call, which
 * both ask for the same profile): a task runs inside `runInTaskScope`, and `memoInTask` answers
 * a repeated lookup from the first one. Outside a task (tests, standalone) it just calls.
 * Nothing outlives the task, so an edit is seen by the very next task that reads for itself (a
 * quality task whose intake made its reads uses what the intake read: TaskPayload.intakeRead).
 */
const scope = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

export function runInTaskScope<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run(new Map(), fn);
}

/** Hands a lookup's answer to the task ahead of time (a read that came with another statement). */
export function provideInTask<T>(key: string, value: Promise<T>): void {
  scope.getStore()?.set(key, value);
}

/** What `provideInTask` handed over for this key, if anything. */
export function providedInTask<T>(key: string): Promise<T> | undefined {
  return scope.getStore()?.get(key) as Promise<T> | undefined;
}

export function memoInTask<T>(key: string, lookup: () => Promise<T>): Promise<T> {
  const memo = scope.getStore();
  if (!memo) return lookup();
  let value = memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = lookup();
    memo.set(key, value);
  }
  return value;
}
