import type { TRPCRouterRecord } from "@trpc/server";
import { checkHealth } from "../../health";
import { protectedProcedure } from "../init";

export const serviceRouter = {
  health: protectedProcedure.query(() => checkHealth()),
} satisfies TRPCRouterRecord;
