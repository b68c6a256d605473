import { getJobView, type JobView } from "@docgate/orchestrator";
import { serverContext } from "./context";
import { ApiError } from "./errors";
import type { Principal } from "./principal";

const ID = /^[0-9a-f-]{36}$/i;

/** A job its caller may see: keys see their own jobs; console users see every job. */
export async function readJob(id: string, principal: Principal): Promise<JobView> {
  if (!ID.test(id)) throw new ApiError(404, "job_not_found", "There is no job with this id.");
  const { db } = serverContext();
  if (principal.kind === "api_key" && principal.role !== "admin") {
    const owner = await db.job.findUnique({ where: { id }, select: { apiKeyId: true } });
    if (!owner || owner.apiKeyId !== principal.id) throw new ApiError(404, "job_not_found", "There is no job with this id.");
  }
  const job = await getJobView(db, id);
  if (!job) throw new ApiError(404, "job_not_found", "There is no job with this id.");
  return job;
}
