import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { activateModel, listModels, listTaxonomies, requestTraining } from "@docgate/orchestrator";
import { adminProcedure, operatorProcedure, protectedProcedure } from "../init";

const actor = (user: { id: string }) => ({ actor: { type: "user" as const, id: user.id } });

export const modelRouter = {
  taxonomies: protectedProcedure.query(({ ctx }) => listTaxonomies(ctx.db)),
  versions: protectedProcedure.input(z.object({ taxonomy: z.string().min(1).max(100) })).query(({ ctx, input }) => listModels(ctx.db, input.taxonomy)),
  train: operatorProcedure
    .input(z.object({ taxonomy: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => requestTraining(ctx.orchestrator, input.taxonomy, actor(ctx.user))),
  activate: adminProcedure
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => activateModel(ctx.db, input.id, actor(ctx.user))),
} satisfies TRPCRouterRecord;
