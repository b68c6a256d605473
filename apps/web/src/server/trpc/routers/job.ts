import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getJobView } from "@docgate/orchestrator";
import { protectedProcedure } from "../init";

export const jobRouter = {
  get: protectedProcedure.input(z.object({ id: z.string().uuid() })).query(async ({ ctx, input }) => {
    const job = await getJobView(ctx.db, input.id);
    if (!job) throw new TRPCError({ code: "NOT_FOUND", message: "There is no job with this id." });
    return job;
  }),
  recent: protectedProcedure.input(z.object({ limit: z.number().int().min(1).max(100).default(20) })).query(({ ctx, input }) =>
    ctx.db.job.findMany({
      orderBy: { createdAt: "desc" },
      take: input.limit,
      select: { id: true, status: true, filename: true, services: true, createdAt: true, finishedAt: true },
    }),
  ),
} satisfies TRPCRouterRecord;
