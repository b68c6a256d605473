/**
 * Aborted when this web process is told to stop (SIGTERM, as a restart or a deploy does): a
 * request waiting for its job (REST or the MCP `process_document`) answers at once with the job
 * id, so the client can fetch its job from the next process. Next.js finishes in-flight requests
 * before it exits.
 */
export function stopping(): AbortSignal {
  const holder = globalThis as unknown as { __docgateStopping?: AbortController };
  if (!holder.__docgateStopping) {
    const controller = new AbortController();
    holder.__docgateStopping = controller;
    process.once("SIGTERM", () => controller.abort());
  }
  return holder.__docgateStopping.signal;
}
