import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { createProfile, CreateProfileInput, getProfile, listProfiles, updateProfile, UpdateProfileInput } from "@docgate/orchestrator";
import { ISSUE_CODES } from "@docgate/mcp/quality";
import { adminProcedure, changeFrom, protectedProcedure } from "../init";

/** Quality validation profiles: everyone signed in reads, admins write (audited). */
export const profileRouter = {
  list: protectedProcedure.query(({ ctx }) => listProfiles(ctx.db)),
  get: protectedProcedure.input(z.object({ id: z.string().min(1).max(100) })).query(({ ctx, input }) => getProfile(ctx.db, input.id)),
  /** The documented issue codes, for the console's legend. */
  issueCodes: protectedProcedure.query(() =>
    Object.entries(ISSUE_CODES).map(([code, v]) => ({ code, severity: v.severity as string, weight: v.weight as string, description: v.description as string }))),
  create: adminProcedure.input(CreateProfileInput).mutation(({ ctx, input }) => createProfile(ctx.db, input, changeFrom(ctx))),
  update: adminProcedure
    .input(z.object({ id: z.string().min(1).max(100), patch: UpdateProfileInput }))
    .mutation(({ ctx, input }) => updateProfile(ctx.db, input.id, input.patch, changeFrom(ctx))),
} satisfies TRPCRouterRecord;
