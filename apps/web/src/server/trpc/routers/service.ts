import type { TRPCRouterRecord } from "@trpc/server";
import { overview } from "@docgate/orchestrator";
import { checkHealth } from "../../health";
import { protectedProcedure } from "../init";

export const serviceRouter = {
  health: protectedProcedure.query(() => checkHealth()),
  overview: protectedProcedure.query(({ ctx }) => overview(ctx.orchestrator)),
} satisfies TRPCRouterRecord;
