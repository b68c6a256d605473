import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { JOB_STATUSES, bulkJobAction, cancelJob, getJobView, listJobs, retryJob, type JobFilter } from "@docgate/orchestrator";
import { operatorProcedure, protectedProcedure, changeFrom } from "../init";

export const JobFilterInput = z.object({
  statuses: z.array(z.enum(JOB_STATUSES)).max(6).optional(),
  service: z.string().max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  search: z.string().max(200).optional(),
  label: z.string().max(64).optional(),
  grade: z.enum(["poor", "fair", "good", "excellent"]).optional(),
  apiKeyId: z.string().uuid().optional(),
  userId: z.string().max(100).optional(),
});


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
  /** The extracted text, page by page, for result review (bounded for the browser). */
  text: protectedProcedure.input(z.object({ id: z.string().uuid() })).query(async ({ ctx, input }) => {
    const job = await ctx.db.job.findUnique({ where: { id: input.id }, select: { document: { select: { text: true, pageTexts: true, extractionError: true } } } });
    if (!job) throw new TRPCError({ code: "NOT_FOUND", message: "There is no job with this id." });
    const { text, pageTexts, extractionError } = job.document;
    const pages = (pageTexts as string[] | null) ?? (text === null ? [] : [text]);
    let budget = 300_000;
    const shown = pages.map((page) => {
      const part = page.slice(0, Math.max(0, budget));
      budget -= part.length;
      return part;
    });
    return { pages: shown, truncated: budget < 0 || shown.some((p, i) => p.length < pages[i]!.length), extractionError };
  }),
  /** Who has submitted jobs (users and API keys by name), for the dashboard's filter. */
  submitters: protectedProcedure.query(async ({ ctx }) => {
    const [users, keys] = await Promise.all([
      ctx.db.user.findMany({ where: { jobs: { some: {} } }, select: { id: true, email: true }, orderBy: { email: "asc" }, take: 200 }),
      ctx.db.apiKey.findMany({ where: { jobs: { some: {} } }, select: { id: true, name: true, start: true }, orderBy: { name: "asc" }, take: 200 }),
    ]);
    return [
      ...users.map((u) => ({ value: `user:${u.id}`, label: u.email })),
      ...keys.map((k) => ({ value: `key:${k.id}`, label: `key ${k.name} (${k.start}…)` })),
    ];
  }),
  list: protectedProcedure
    .input(z.object({ filter: JobFilterInput, page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(5).max(100).default(25) }))
    .query(({ ctx, input }) => listJobs(ctx.db, input.filter as JobFilter, { page: input.page, pageSize: input.pageSize })),
  cancel: operatorProcedure.input(z.object({ id: z.string().uuid() })).mutation(({ ctx, input }) => cancelJob(ctx.orchestrator, input.id, changeFrom(ctx))),
  retry: operatorProcedure.input(z.object({ id: z.string().uuid() })).mutation(({ ctx, input }) => retryJob(ctx.orchestrator, input.id, changeFrom(ctx))),
  rerun: operatorProcedure
    .input(z.object({ id: z.string().uuid(), service: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => retryJob(ctx.orchestrator, input.id, changeFrom(ctx), { services: [input.service] })),
  bulk: operatorProcedure
    .input(z.object({ action: z.enum(["cancel", "retry"]), filter: JobFilterInput }))
    .mutation(({ ctx, input }) => bulkJobAction(ctx.orchestrator, input.action, input.filter as JobFilter, changeFrom(ctx))),
} satisfies TRPCRouterRecord;
