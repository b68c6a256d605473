import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Lookups shared by everything one task does (its cache key, then the MCP tool call, which
 * both ask for the same profile): a task runs inside `runInTaskScope`, and `memoInTask` answers
 * a repeated lookup from the first one. Outside a task (tests, standalone) it just calls.
 * Nothing outlives the task, so an edit is seen by the very next task.
 */
const scope = new AsyncLocalStorage<Map<string, Promise<unknown>>>();

export function runInTaskScope<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run(new Map(), fn);
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
