import { cancelJob, getJobView, isFinalJobStatus, type JobView } from "@docgate/orchestrator";
import type { QueuedMessage, TaskMessageQueue, TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import { ErrorCode, McpError, type CallToolResult, type Task } from "@modelcontextprotocol/sdk/types.js";
import type { Prisma } from "@docgate/db";
import { serverContext } from "../context";
import { auditActor, type Principal } from "../principal";

/** Clients poll tasks/get this often; tasks/result re-reads Postgres at the same pace. */
export const TASK_POLL_INTERVAL_MS = 250;
const PAGE = 50;

/**
 * MCP tasks backed by Docgate's job rows: the task id is the job id, its status is the job's
 * status, its result is the job JSON. Nothing lives in the web process, so a task survives a
 * web restart and any web copy answers tasks/get, tasks/result and tasks/cancel.
 * Tasks are created by process_document itself (submitJob), never through createTask.
 */
export class JobTaskStore implements TaskStore {
  constructor(
    private readonly principal: Principal,
    private readonly meta: { ip: string | null; userAgent: string | null },
    /** A tasks/result request's progress queue (see JobProgressQueue.owesProgress). */
    private readonly progress?: JobProgressQueue,
  ) {}

  async createTask(): Promise<Task> {
    throw new McpError(ErrorCode.InvalidRequest, "Only process_document creates tasks.");
  }

  async getTask(taskId: string): Promise<Task | null> {
    const row = await this.ownedJob(taskId);
    if (!row) return null;
    const task = jobTask(row);
    // The SDK drains the progress queue, then reads the status. A job that ends between the two
    // would be answered without its last progress: it reads as still working once more, so the
    // SDK drains again (one poll interval later) before it answers.
    if (isFinalJobStatus(row.status) && this.progress?.owesProgress(taskId, finishedTasks(row))) return { ...task, status: "working" };
    return task;
  }

  async storeTaskResult(): Promise<void> {
    // A job's result is written by the workers, never through the gateway.
  }

  async getTaskResult(taskId: string): Promise<CallToolResult> {
    const row = await this.ownedJob(taskId);
    if (!row) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    const view = await getJobView(serverContext().db, taskId);
    if (!view) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    return jobResult(view);
  }

  async updateTaskStatus(taskId: string, status: Task["status"]): Promise<void> {
    if (status !== "cancelled") return; // other transitions come from the workers
    if (this.principal.role === "viewer") throw new McpError(ErrorCode.InvalidRequest, "Cancelling a task needs the operator role.");
    // The operator's cancel (job-admin.ts): unfinished tasks and the job become cancelled, audited.
    await cancelJob(serverContext().orchestrator, taskId, {
      actor: auditActor(this.principal), ip: this.meta.ip, userAgent: this.meta.userAgent,
    });
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const rows = await serverContext().db.job.findMany({
      where: { ...this.ownerFilter(), ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: "desc" },
      take: PAGE + 1,
      select: TASK_SELECT,
    });
    const page = rows.slice(0, PAGE);
    return { tasks: page.map(jobTask), ...(rows.length > PAGE ? { nextCursor: page.at(-1)!.id } : {}) };
  }

  private ownerFilter(): Prisma.JobWhereInput {
    if (this.principal.kind === "api_key") return { apiKeyId: this.principal.id };
    return { userId: this.principal.id };
  }

  /** The job if this principal may see it: keys their own jobs (admin keys every job), users theirs. */
  private async ownedJob(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const row = await serverContext().db.job.findUnique({ where: { id }, select: { ...TASK_SELECT, apiKeyId: true, userId: true } });
    if (!row) return null;
    const p = this.principal;
    if (p.role === "admin") return row;
    if (p.kind === "api_key" ? row.apiKeyId === p.id : row.userId === p.id) return row;
    return null;
  }
}

const TASK_SELECT = {
  id: true, status: true, createdAt: true, startedAt: true, finishedAt: true,
  tasks: { select: { status: true, finishedAt: true } },
} as const satisfies Prisma.JobSelect;

type TaskRow = Prisma.JobGetPayload<{ select: typeof TASK_SELECT }>;

const isFinishedTask = (task: { status: string }) => ["succeeded", "failed", "cancelled"].includes(task.status);
const finishedTasks = (row: TaskRow) => row.tasks.filter(isFinishedTask).length;

export function jobTask(row: TaskRow): Task {
  const finished = finishedTasks(row);
  const times = [row.createdAt, row.startedAt, row.finishedAt, ...row.tasks.map((t) => t.finishedAt)]
    .filter((d): d is Date => d instanceof Date)
    .map((d) => d.getTime());
  return {
    taskId: row.id,
    status: taskStatus(row.status),
    ttl: null, // job rows are kept by the retention policy, not by the task
    createdAt: row.createdAt.toISOString(),
    lastUpdatedAt: new Date(Math.max(...times)).toISOString(),
    pollInterval: TASK_POLL_INTERVAL_MS,
    statusMessage: isFinalJobStatus(row.status)
      ? `Job ${row.status}.`
      : `${finished} of ${row.tasks.length} services finished (job ${row.status}).`,
  };
}

function taskStatus(status: string): Task["status"] {
  switch (status) {
    case "succeeded":
    case "partial":
      return "completed";
    case "failed":
      return "failed";
    case "cancelled":
      return "cancelled";
    default:
      return "working";
  }
}

/** A job as the result of process_document: the job JSON as structuredContent. */
export function jobResult(view: JobView): CallToolResult {
  const summary = Object.entries(view.results)
    .map(([service, r]) => `${service}: ${r.status}${r.error ? ` (${r.error.message})` : ""}`)
    .join("; ");
  return {
    content: [{ type: "text", text: `Job ${view.id} ${view.status}. ${summary}\n${JSON.stringify(view)}` }],
    structuredContent: view as unknown as Record<string, unknown>,
    ...(view.status === "failed" ? { isError: true } : {}),
  };
}

/** Where process_document keeps a task's progress token (the client's, from the tools/call). */
export const taskProgressKey = (prefix: string, jobId: string) => `${prefix}:mcp:task-progress:${jobId}`;
const TASK_PROGRESS_TTL_SECONDS = 24 * 3600;

/** Remembers the progress token of a task-augmented call (best effort: Redis may be down). */
export async function rememberTaskProgressToken(jobId: string, token: string | number | undefined): Promise<void> {
  if (token === undefined) return;
  const { orchestrator } = serverContext();
  await orchestrator.redis
    .set(taskProgressKey(orchestrator.prefix, jobId), JSON.stringify({ token }), "EX", TASK_PROGRESS_TTL_SECONDS)
    .catch(() => {});
}

/**
 * Progress while a task runs, delivered on the tasks/result stream: the SDK drains this queue
 * before each wait, so every time another service of the job finishes, the client gets a
 * notifications/progress for the token it sent with the original tools/call. Derived from the
 * job rows (nothing is stored per message), so it works on any web copy; one instance per
 * request remembers what that stream has already been told.
 */
export class JobProgressQueue implements TaskMessageQueue {
  private readonly delivered = new Map<string, number>();
  private readonly tokens = new Map<string, string | number | null>();

  async enqueue(): Promise<void> {
    // Nothing is queued by the gateway itself; progress is read from the job rows.
  }

  async dequeue(taskId: string): Promise<QueuedMessage | undefined> {
    const token = await this.token(taskId);
    if (token === null) return undefined;
    const tasks = await serverContext().db.jobTask.findMany({ where: { jobId: taskId }, select: { service: true, status: true } });
    const finished = tasks.filter(isFinishedTask);
    if (finished.length <= (this.delivered.get(taskId) ?? 0)) return undefined;
    this.delivered.set(taskId, finished.length);
    return {
      type: "notification",
      timestamp: Date.now(),
      message: {
        jsonrpc: "2.0",
        method: "notifications/progress",
        params: {
          progressToken: token, progress: finished.length, total: tasks.length,
          message: finished.map((t) => `${t.service} ${t.status}`).join(", "),
        },
      },
    };
  }

  async dequeueAll(): Promise<QueuedMessage[]> {
    return [];
  }

  /** Whether the client asked for progress and has not yet been told of `finished` services. */
  owesProgress(taskId: string, finished: number): boolean {
    const token = this.tokens.get(taskId);
    return token !== undefined && token !== null && finished > (this.delivered.get(taskId) ?? 0);
  }

  private async token(taskId: string): Promise<string | number | null> {
    if (!this.tokens.has(taskId)) {
      const { orchestrator } = serverContext();
      const raw = await orchestrator.redis.get(taskProgressKey(orchestrator.prefix, taskId)).catch(() => null);
      let token: string | number | null = null;
      try {
        token = raw ? ((JSON.parse(raw) as { token: string | number }).token ?? null) : null;
      } catch {
        token = null;
      }
      this.tokens.set(taskId, token);
    }
    return this.tokens.get(taskId) ?? null;
  }
}
