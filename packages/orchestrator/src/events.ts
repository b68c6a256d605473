import { EventEmitter } from "node:events";
import type { ChainableCommander, Redis } from "ioredis";
import type { JobView } from "./job-view";

export type JobEvent =
  | { type: "task.running"; jobId: string; service: string; attempt: number }
  | { type: "task.finished"; jobId: string; service: string; status: "succeeded" | "failed" | "cancelled"; cached: boolean }
  | { type: "task.retrying"; jobId: string; service: string; attempt: number; error: string }
  /** `view`: the job's final view, when the writer that closed the job had it (not sent on to clients as is). */
  | { type: "job.finished"; jobId: string; status: string; view?: JobView };

export const jobChannel = (prefix: string, jobId: string) => `${prefix}:events:job:${jobId}`;

/** Best effort: events speed clients up, but Postgres stays the truth they fall back on. */
export async function publishJobEvent(redis: Redis, prefix: string, event: JobEvent): Promise<void> {
  try {
    await redis.publish(jobChannel(prefix, event.jobId), JSON.stringify(event));
  } catch {
    // Redis down: clients poll Postgres instead.
  }
}

/**
 * Several events, and any commands `alongside` adds, in one round trip (a pipeline): what a task
 * sends when it ends. Best effort, like publishJobEvent.
 */
export async function publishJobEvents(
  redis: Redis,
  prefix: string,
  events: JobEvent[],
  alongside?: (pipeline: ChainableCommander) => void,
): Promise<void> {
  if (!events.length && !alongside) return;
  try {
    const pipeline = redis.pipeline();
    alongside?.(pipeline);
    for (const event of events) pipeline.publish(jobChannel(prefix, event.jobId), JSON.stringify(event));
    await pipeline.exec();
  } catch {
    // Redis down: clients poll Postgres instead.
  }
}

/**
 * One pattern subscription per process, fanned out to local listeners by job id, so a
 * thousand waiting requests share one Redis connection.
 */
export class JobEventHub {
  private readonly emitter = new EventEmitter();
  private started: Promise<void> | null = null;

  constructor(private readonly subscriber: Redis, private readonly prefix: string) {
    this.emitter.setMaxListeners(0);
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      const pattern = `${this.prefix}:events:job:*`;
      this.subscriber.on("pmessage", (_pattern, channel: string, message: string) => {
        const jobId = channel.slice(channel.lastIndexOf(":") + 1);
        // Every job's events reach every web copy: only those someone here waits for are read.
        if (this.emitter.listenerCount(jobId) === 0) return;
        try {
          this.emitter.emit(jobId, JSON.parse(message) as JobEvent);
        } catch {
          // A malformed message is ignored; listeners also poll.
        }
      });
      await this.subscriber.psubscribe(pattern);
    })().catch((error) => {
      this.started = null;
      throw error;
    });
    return this.started;
  }

  /** Listens to one job's events; returns the unsubscribe function. */
  async subscribe(jobId: string, listener: (event: JobEvent) => void): Promise<() => void> {
    this.emitter.on(jobId, listener);
    try {
      await this.start();
    } catch {
      // Without Redis the caller's Postgres polling still finishes the wait.
    }
    return () => this.emitter.off(jobId, listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    this.subscriber.disconnect();
  }
}
