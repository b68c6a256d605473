import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { createUser, endUserSessions, listUsers, updateUser } from "@docgate/db";
import { UserCreateSchema, UserPatchSchema } from "../../api-schemas";
import { adminProcedure, protectedProcedure, changeFrom as change } from "../init";

export const userRouter = {
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure.input(UserCreateSchema).mutation(({ ctx, input }) => createUser(ctx.db, input, change(ctx))),
  update: adminProcedure.input(UserPatchSchema.safeExtend({ id: z.string().min(1) }))
    .mutation(({ ctx, input }) => updateUser(ctx.db, input, change(ctx))),
  /** Admin: end every session of a user. */
  endSessions: adminProcedure.input(z.object({ id: z.string().min(1) })).mutation(({ ctx, input }) =>
    endUserSessions(ctx.db, input, change(ctx))),
  /** Anyone signed in: "log out everywhere" for themselves. */
  endMySessions: protectedProcedure.mutation(({ ctx }) => endUserSessions(ctx.db, { id: ctx.user.id }, change(ctx))),
} satisfies TRPCRouterRecord;
