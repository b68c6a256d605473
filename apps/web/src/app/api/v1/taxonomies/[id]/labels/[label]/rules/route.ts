import { SetLabelRulesInput } from "@docgate/mcp";
import { setLabelRules } from "@docgate/orchestrator";
import { apiRoute } from "~/server/access/route";
import { serverContext } from "~/server/context";
import { readJson } from "~/server/json-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Replaces one label's rules (admin); a bad pattern or regex is a 400 and nothing changes. */
export const PUT = apiRoute<{ id: string; label: string }>("admin", async ({ request, change }, { id, label }) => {
  const { rules } = await readJson(request, SetLabelRulesInput, 256 * 1024);
  // `label` arrives decoded: decoding it again would break a label such as `100%`.
  return Response.json(await setLabelRules(serverContext().db, id, label, rules, change));
});
