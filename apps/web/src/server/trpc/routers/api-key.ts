import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { issueApiKey, listApiKeys, revokeApiKey, rollApiKey } from "@docgate/db";
import { ApiKeyCreateSchema, ApiKeyRollSchema } from "../../api-schemas";
import { adminProcedure, changeFrom as change } from "../init";

export const apiKeyRouter = {
  list: adminProcedure.query(({ ctx }) => listApiKeys(ctx.db)),
  create: adminProcedure.input(ApiKeyCreateSchema).mutation(({ ctx, input }) =>
    issueApiKey(ctx.db, { ...input, createdById: ctx.user.id }, change(ctx))),
  roll: adminProcedure.input(ApiKeyRollSchema.extend({ id: z.string().min(1) })).mutation(({ ctx, input }) =>
    rollApiKey(ctx.db, { id: input.id, graceSeconds: input.gracePeriodSeconds, rotateSigningSecret: input.rotateSigningSecret }, change(ctx))),
  revoke: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) =>
    revokeApiKey(ctx.db, input, change(ctx))),
} satisfies TRPCRouterRecord;
