// MCP progress from a job's events: every service counts once, so progress only rises and stays
// within the total, also when a task finishes twice (rerun after Postgres lost its result).
import { describe, expect, it } from "vitest";
import type { JobEvent } from "@docgate/orchestrator";
import { serviceProgress } from "../src/server/mcp/progress";

describe("serviceProgress", () => {
  it("counts each service's first finish only, and ignores other events", () => {
    const sent: [number, string][] = [];
    const onEvent = serviceProgress((progress, message) => sent.push([progress, message]));
    const finished = (service: string, status: "succeeded" | "failed" = "succeeded"): JobEvent => ({ type: "task.finished", jobId: "j", service, status, cached: false });
    onEvent({ type: "task.running", jobId: "j", service: "quality", attempt: 1 });
    onEvent(finished("quality"));
    onEvent(finished("quality")); // the same task again, after a rerun
    onEvent(finished("classification", "failed"));
    onEvent({ type: "job.finished", jobId: "j", status: "partial" });
    expect(sent).toEqual([[1, "quality succeeded"], [2, "classification failed"]]);
  });
});
