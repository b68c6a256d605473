import type { TRPCRouterRecord } from "@trpc/server";
import { protectedProcedure } from "../init";

export const sessionRouter = {
  me: protectedProcedure.query(({ ctx }) => ctx.user),
} satisfies TRPCRouterRecord;
