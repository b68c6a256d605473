import { listAudit } from "@docgate/db";
import { serverContext } from "~/server/context";
import { AuditQuerySchema } from "~/server/api-schemas";
import { invalidInput } from "~/server/errors";
import { apiRoute } from "~/server/access/route";
import { auditCsv } from "~/server/access/audit-csv";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Newest first; filters: action, actor, target, from, to; pages with `before`; `format=csv` for export. */
export const GET = apiRoute("admin", async ({ request }) => {
  const query = AuditQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw invalidInput(query.error);
  const { before, format, ...filter } = query.data;
  const page = await listAudit(serverContext().db, { ...filter, before: before ? BigInt(before) : undefined });
  if (format === "csv") {
    return new Response(auditCsv(page.items), {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="docgate-audit.csv"`,
        ...(page.nextCursor ? { "X-Next-Cursor": page.nextCursor } : {}),
      },
    });
  }
  return Response.json(page);
});
