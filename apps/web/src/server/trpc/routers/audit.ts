import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { listAudit, verifyAuditChain } from "@docgate/db";
import { AuditCursorSchema } from "../../api-schemas";
import { adminProcedure } from "../init";

export const auditRouter = {
  list: adminProcedure
    .input(z.object({
      action: z.string().max(100).optional(),
      actor: z.string().max(100).optional(),
      target: z.string().max(200).optional(),
      from: z.date().optional(),
      to: z.date().optional(),
      /** The previous page's `nextCursor` (tRPC infinite queries name it `cursor`). */
      cursor: AuditCursorSchema.nullish(),
      limit: z.number().int().min(1).max(500).default(100),
    }))
    .query(({ ctx, input }) => listAudit(ctx.db, { ...input, before: input.cursor ? BigInt(input.cursor) : undefined })),
  verify: adminProcedure.query(({ ctx }) => verifyAuditChain(ctx.db)),
} satisfies TRPCRouterRecord;
