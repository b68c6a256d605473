import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Db } from "@docgate/db";

/** What the job lifecycle needs: the source of truth, Redis, and the queue namespace. */
export type OrchestratorContext = {
  db: Db;
  /** Commands: publish, cache. */
  redis: Redis;
  /** BullMQ key prefix and event/cache namespace. */
  prefix: string;
  queue(name: string): Queue;
  close(): Promise<void>;
};

export function createOrchestratorContext(options: { db: Db; redis: Redis; prefix: string }): OrchestratorContext {
  const { db, redis, prefix } = options;
  const queues = new Map<string, Queue>();
  return {
    db,
    redis,
    prefix,
    queue(name) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue(name, { connection: redis, prefix });
        queue.on("error", () => {});
        queues.set(name, queue);
      }
      return queue;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
    },
  };
}
