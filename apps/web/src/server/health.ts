import { listServices, type ServiceSummary } from "@docgate/orchestrator";
import { serverContext } from "./context";

export type Health = {
  status: "ok" | "degraded" | "down";
  postgres: { status: "up" | "down"; latencyMs: number | null; error?: string };
  redis: { status: "up" | "down"; latencyMs: number | null; error?: string };
  services: ServiceSummary[];
};

async function timed(probe: () => Promise<unknown>, timeoutMs = 2_000) {
  const started = performance.now();
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), timeoutMs))]);
    return { status: "up" as const, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "down" as const, latencyMs: null, error: (error as Error).message.slice(0, 200) };
  }
}

export async function checkHealth(): Promise<Health> {
  const { db, orchestrator } = serverContext();
  const [postgres, redis] = await Promise.all([timed(() => db.$queryRaw`SELECT 1`), timed(() => orchestrator.redis.ping())]);
  const services = postgres.status === "up" ? await listServices(db).catch(() => []) : [];
  const down = postgres.status === "down" || redis.status === "down";
  const degraded = services.some((s) => s.enabled && s.status !== "up");
  return { status: down ? "down" : degraded ? "degraded" : "ok", postgres, redis, services };
}
