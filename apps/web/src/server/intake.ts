import { JobLimitError, submitJob, type SubmitInput, type SubmittedJob } from "@docgate/orchestrator";
import { serverContext } from "./context";
import { jobLimitRefusal, jobLimits, rememberKeyCounts, type Principal } from "./principal";

/**
 * submitJob on behalf of a caller (REST and the MCP gateway): the intake call enforces its key's
 * job limits, a refusal becomes the documented 429, and what the intake saw of the key is kept
 * for the early check before the next upload (requireJobCapacity).
 */
export async function submitAs(principal: Principal, input: Omit<SubmitInput, "limits">): Promise<SubmittedJob> {
  try {
    const submitted = await submitJob(serverContext().orchestrator, { ...input, limits: jobLimits(principal) });
    if (!submitted.replayed) rememberKeyCounts(principal, submitted.keyCounts);
    return submitted;
  } catch (error) {
    if (!(error instanceof JobLimitError)) throw error;
    rememberKeyCounts(principal, error.counts);
    throw jobLimitRefusal(principal, error.code);
  }
}
