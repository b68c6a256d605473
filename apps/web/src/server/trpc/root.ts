import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCRouter } from "./init";
import { jobRouter } from "./routers/job";
import { modelRouter } from "./routers/model";
import { serviceRouter } from "./routers/service";
import { sessionRouter } from "./routers/session";

export const appRouter = createTRPCRouter({ job: jobRouter, model: modelRouter, service: serviceRouter, session: sessionRouter });

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
