import { EventEmitter } from "node:events";
import type { ChainableCommander, Redis } from "ioredis";
import type { JobView } from "./job-view";
import { withTimeout } from "./timeout";

export type JobEvent =
  | { type: "task.running"; jobId: string; service: string; attempt: number }
  | { type: "task.finished"; jobId: string; service: string; status: "succeeded" | "failed" | "cancelled"; cached: boolean }
  | { type: "task.retrying"; jobId: string; service: string; attempt: number; error: string }
  /** `view`: the job's final view, when the writer that closed the job had it (not sent on to clients as is). */
  | { type: "job.finished"; jobId: string; status: string; view?: JobView };

/** How long a listener waits for Redis to confirm its subscription before relying on polling alone. */
const SUBSCRIBE_WAIT_MS = 500;

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
 * Local listeners by job id over one Redis connection, which subscribes to the channels of the
 * jobs someone here listens to, and to no others: a gateway copy is not woken by the events of
 * jobs nobody waits for on it (with async intake, most of them).
 */
export class JobEventHub {
  private readonly emitter = new EventEmitter();
  /** The SUBSCRIBE of each job with listeners here (shared by them). */
  private readonly channels = new Map<string, Promise<unknown>>();

  constructor(private readonly subscriber: Redis, private readonly prefix: string) {
    this.emitter.setMaxListeners(0);
    this.subscriber.on("message", (channel: string, message: string) => {
      const jobId = channel.slice(channel.lastIndexOf(":") + 1);
      if (this.emitter.listenerCount(jobId) === 0) return;
      try {
        this.emitter.emit(jobId, JSON.parse(message) as JobEvent);
      } catch {
        // A malformed message is ignored; listeners also poll.
      }
    });
  }

  /**
   * Listens to one job's events; returns the unsubscribe function. Resolves once Redis confirmed
   * the subscription, so an event published after that is not missed, or after at most
   * SUBSCRIBE_WAIT_MS when Redis does not answer (the caller's Postgres polling then finishes the
   * wait; an offline subscription is made when Redis is back).
   */
  async subscribe(jobId: string, listener: (event: JobEvent) => void): Promise<() => void> {
    return (await this.listen(jobId, listener)).stop;
  }

  /** As subscribe, and says whether Redis confirmed the subscription in time. */
  async listen(jobId: string, listener: (event: JobEvent) => void): Promise<{ stop: () => void; confirmed: boolean }> {
    this.emitter.on(jobId, listener);
    const channel = jobChannel(this.prefix, jobId);
    let subscribed = this.channels.get(jobId);
    if (!subscribed) {
      subscribed = this.subscriber.subscribe(channel);
      this.channels.set(jobId, subscribed);
      const mine = subscribed;
      mine.catch(() => {
        if (this.channels.get(jobId) === mine) this.channels.delete(jobId);
      });
    }
    const confirmed = await withTimeout(subscribed, SUBSCRIBE_WAIT_MS, "subscribe timed out").then(() => true, () => false);
    const stop = () => {
      this.emitter.off(jobId, listener);
      if (this.emitter.listenerCount(jobId) > 0 || this.channels.get(jobId) !== subscribed) return;
      this.channels.delete(jobId);
      this.subscriber.unsubscribe(channel).catch(() => {});
    };
    return { stop, confirmed };
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    this.subscriber.disconnect();
  }
}
