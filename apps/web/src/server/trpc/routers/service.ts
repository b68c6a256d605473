import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import {
  ExternalServiceInputSchema, listAlerts, listScalingEvents, overview, registerExternalService, removeExternalService,
  ServicePatchSchema, serviceLoads, updateServiceSettings,
} from "@docgate/orchestrator";
import { checkHealth } from "../../health";
import { invalidateCatalog } from "../../mcp/catalog";
import { adminProcedure, changeFrom, protectedProcedure } from "../init";

export const serviceRouter = {
  health: protectedProcedure.query(() => checkHealth()),
  overview: protectedProcedure.query(({ ctx }) => overview(ctx.orchestrator)),
  /** The scaling console: every service with its queue, latency, errors and instances. */
  list: protectedProcedure.query(({ ctx }) => serviceLoads(ctx.orchestrator)),
  events: protectedProcedure
    .input(z.object({ service: z.string().max(100).optional(), limit: z.number().int().min(1).max(200).default(30) }))
    .query(({ ctx, input }) => listScalingEvents(ctx.db, input)),
  update: adminProcedure
    .input(z.object({ name: z.string().min(1).max(100), patch: ServicePatchSchema }))
    .mutation(({ ctx, input }) =>
      updateServiceSettings({ db: ctx.db, redis: ctx.orchestrator.redis, prefix: ctx.orchestrator.prefix }, input, changeFrom(ctx))),
  /** Firing alerts and the most recent resolved ones. */
  alerts: protectedProcedure.query(({ ctx }) => listAlerts(ctx)),
  register: adminProcedure
    .input(ExternalServiceInputSchema)
    .mutation(async ({ ctx, input }) => {
      const row = await registerExternalService({ db: ctx.db, redis: ctx.orchestrator.redis, prefix: ctx.orchestrator.prefix }, input, changeFrom(ctx));
      invalidateCatalog();
      return { name: row.name, tool: row.tool };
    }),
  remove: adminProcedure
    .input(z.object({ name: z.string().min(1).max(100) }))
    .mutation(async ({ ctx, input }) => {
      await removeExternalService({ db: ctx.db, redis: ctx.orchestrator.redis, prefix: ctx.orchestrator.prefix }, input.name, changeFrom(ctx));
      invalidateCatalog();
      return { removed: input.name };
    }),
} satisfies TRPCRouterRecord;
