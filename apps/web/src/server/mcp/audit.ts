import { writeAudit } from "@docgate/db";
import { serverContext } from "../context";
import { auditActor, type Principal } from "../principal";

/**
 * `mcp.call` audit rows for direct `<service>.<tool>` calls. They change nothing, and one
 * hash-chained audit transaction per call would serialise every call on the audit lock, so
 * calls are counted in memory and written as one row per (actor, tool) every FLUSH_MS:
 * `{calls, errors, first, last}`. Work that creates jobs (process_document) is audited by
 * submitJob in the job's own transaction, like REST.
 */
const FLUSH_MS = 2_000;

type Tally = { actor: ReturnType<typeof auditActor>; tool: string; calls: number; errors: number; first: string; last: string };

const holder = globalThis as unknown as { __docgateMcpAudit?: { tallies: Map<string, Tally>; timer: NodeJS.Timeout | null } };
const state = (holder.__docgateMcpAudit ??= { tallies: new Map(), timer: null });

export function recordToolCall(principal: Principal, tool: string, failed: boolean): void {
  const key = `${principal.kind}:${principal.id}:${tool}`;
  const now = new Date().toISOString();
  const tally = state.tallies.get(key) ?? { actor: auditActor(principal), tool, calls: 0, errors: 0, first: now, last: now };
  tally.calls++;
  if (failed) tally.errors++;
  tally.last = now;
  state.tallies.set(key, tally);
  state.timer ??= setTimeout(() => void flushToolCallAudit(), FLUSH_MS);
  state.timer.unref?.();
}

/** Writes the pending tallies (also called by tests to observe them without waiting). */
export async function flushToolCallAudit(): Promise<void> {
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  const tallies = [...state.tallies.values()];
  state.tallies.clear();
  if (tallies.length === 0) return;
  try {
    await serverContext().db.$transaction(async (tx) => {
      for (const t of tallies) {
        await writeAudit(tx, {
          actor: t.actor, action: "mcp.call", target: t.tool,
          metadata: { calls: t.calls, errors: t.errors, first: t.first, last: t.last },
        });
      }
    });
  } catch (error) {
    console.error("[web] mcp.call audit write failed", (error as Error).message);
  }
}
