import { Registry, collectDefaultMetrics } from "prom-client";

/** One process's own CPU, memory, event-loop lag and GC metrics (prom-client's defaults). */
export function createProcessMetrics(prefix: string): { metrics(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return { metrics: () => registry.metrics() };
}
