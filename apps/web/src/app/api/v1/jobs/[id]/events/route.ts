import { isFinalJobStatus, type JobEvent } from "@docgate/orchestrator";
import { serverContext } from "~/server/context";
import { handle } from "~/server/errors";
import { readJob } from "~/server/jobs";
import { authenticate } from "~/server/principal";
import { stopping } from "~/server/stopping";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const POLL_MS = 2_000;
const MAX_STREAM_MS = 10 * 60_000;

/**
 * Server-sent events: a `job` snapshot first, then every progress event, a fresh `job`
 * snapshot on each change, and the stream ends when the job is final, or when this process is
 * told to stop (the client reconnects to the next one; an open stream would hold up the exit).
 */
export const GET = handle(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const principal = await authenticate(request);
  const { id } = await params;
  const first = await readJob(id, principal);
  const { events } = serverContext();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  let closed = false;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let lastSnapshot = "";
      const send = (event: string, data: unknown) => {
        if (!closed) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        controller.close();
      };
      const snapshot = async () => {
        const job = await readJob(id, principal).catch(() => null);
        if (!job) return close();
        const text = JSON.stringify(job);
        if (text !== lastSnapshot) {
          lastSnapshot = text;
          send("job", job);
        }
        if (isFinalJobStatus(job.status)) close();
      };
      lastSnapshot = JSON.stringify(first);
      send("job", first);
      if (isFinalJobStatus(first.status)) return close();
      const unsubscribe = await events.subscribe(id, (event: JobEvent) => {
        // The final view a job.finished may carry is for waiting requests; the stream's own `job` snapshot follows.
        const { view: _view, ...progress } = event as JobEvent & { view?: unknown };
        send(event.type, progress);
        void snapshot();
      });
      // The client may have gone while the subscription was made, when cancel() had nothing to clean up.
      const stop = stopping();
      if (closed || request.signal.aborted || stop.aborted) {
        unsubscribe();
        return close();
      }
      const poll = setInterval(() => void snapshot(), POLL_MS);
      const limit = setTimeout(close, MAX_STREAM_MS);
      request.signal.addEventListener("abort", close);
      stop.addEventListener("abort", close);
      cleanup = () => {
        unsubscribe();
        clearInterval(poll);
        clearTimeout(limit);
        stop.removeEventListener("abort", close); // the signal lives as long as the process
      };
      await snapshot();
    },
    cancel() {
      closed = true;
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive" },
  });
});
