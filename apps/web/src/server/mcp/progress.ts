import type { JobEvent } from "@docgate/orchestrator";

/**
 * MCP progress for a job's services, from its events: each service counts once, so progress
 * only increases (as MCP requires) and never passes the total, even when a task finishes twice
 * (run again by the reconciler after Postgres lost its result in a crash).
 */
export function serviceProgress(notify: (progress: number, message: string) => void): (event: JobEvent) => void {
  const finished = new Set<string>();
  return (event) => {
    if (event.type !== "task.finished" || finished.has(event.service)) return;
    finished.add(event.service);
    notify(finished.size, `${event.service} ${event.status}`);
  };
}
