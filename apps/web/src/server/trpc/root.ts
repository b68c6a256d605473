import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCRouter } from "./init";
import { apiKeyRouter } from "./routers/api-key";
import { auditRouter } from "./routers/audit";
import { jobRouter } from "./routers/job";
import { modelRouter } from "./routers/model";
import { profileRouter } from "./routers/profile";
import { serviceRouter } from "./routers/service";
import { sessionRouter } from "./routers/session";
import { userRouter } from "./routers/user";

export const appRouter = createTRPCRouter({
  apiKey: apiKeyRouter, audit: auditRouter, user: userRouter,
  job: jobRouter, model: modelRouter, profile: profileRouter, service: serviceRouter, session: sessionRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
