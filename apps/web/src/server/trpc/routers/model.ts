import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { LabelRuleSchema } from "@docgate/mcp";
import { activateModel, addExamples, listLabelRules, listModels, listTaxonomies, requestTraining, setLabelRules } from "@docgate/orchestrator";
import { adminProcedure, operatorProcedure, protectedProcedure, changeFrom } from "../init";


export const modelRouter = {
  taxonomies: protectedProcedure.query(({ ctx }) => listTaxonomies(ctx.db)),
  versions: protectedProcedure.input(z.object({ taxonomy: z.string().min(1).max(100) })).query(({ ctx, input }) => listModels(ctx.db, input.taxonomy)),
  train: operatorProcedure
    .input(z.object({ taxonomy: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => requestTraining(ctx.orchestrator, input.taxonomy, changeFrom(ctx))),
  /** A person's correction of a classification becomes a training example (audited). */
  correct: operatorProcedure
    .input(z.object({ jobId: z.string().uuid(), label: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const task = await ctx.db.jobTask.findUnique({
        where: { jobId_service: { jobId: input.jobId, service: "classification" } },
        select: { output: true, job: { select: { document: { select: { text: true } } } } },
      });
      const taxonomy = (task?.output as { taxonomy?: string } | null)?.taxonomy;
      const text = task?.job.document.text;
      if (!taxonomy || !text) throw new TRPCError({ code: "BAD_REQUEST", message: "This job has no classification result to correct." });
      return addExamples(ctx.db, taxonomy, [{ text, label: input.label }], { ...changeFrom(ctx), source: "correction" });
    }),
  rules: protectedProcedure.input(z.object({ taxonomy: z.string().min(1).max(100) })).query(({ ctx, input }) => listLabelRules(ctx.db, input.taxonomy)),
  /** Replaces one label's rules (audited; a bad regex is refused and nothing changes). */
  setRules: adminProcedure
    .input(z.object({ taxonomy: z.string().min(1).max(100), label: z.string().min(1).max(64), rules: z.array(LabelRuleSchema).max(200) }))
    .mutation(({ ctx, input }) => setLabelRules(ctx.db, input.taxonomy, input.label, input.rules, changeFrom(ctx))),
  activate: adminProcedure
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => activateModel(ctx.db, input.id, changeFrom(ctx))),
} satisfies TRPCRouterRecord;
