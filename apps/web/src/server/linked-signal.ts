/**
 * Runs `fn` with a signal that aborts when any of `signals` does, and takes its listeners off
 * them when `fn` settles. AbortSignal.any would do on newer Node, but on Node 20 a long-lived
 * source (stopping()) keeps a reference to every signal made from it: one per waiting request.
 */
export async function withLinkedSignal<T>(signals: AbortSignal[], fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const signal of signals) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", abort, { once: true });
  }
  try {
    return await fn(controller.signal);
  } finally {
    for (const signal of signals) signal.removeEventListener("abort", abort);
  }
}
