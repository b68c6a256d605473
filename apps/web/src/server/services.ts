import { ApiError } from "./errors";

/** The tool that serves a whole document on each built-in service. */
const PRIMARY_TOOLS: Record<string, string> = { classification: "classify_document", quality: "assess_quality" };

/**
 * Which services a request runs, shared by REST and MCP: named services must be enabled;
 * none named means every enabled built-in service.
 */
export function chooseServices(
  requested: string[],
  enabled: { name: string; kind: string; tool?: string | null }[],
): { name: string; tool: string }[] {
  const names = [...new Set(requested)];
  const byName = new Map(enabled.map((s) => [s.name, s]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) {
    const list = unknown.map((n) => JSON.stringify(n.slice(0, 50))).join(", ");
    throw new ApiError(400, "unknown_service", `Unknown or disabled service: ${list}. Available: ${[...byName.keys()].join(", ")}.`);
  }
  const chosen = names.length ? names : enabled.filter((s) => s.kind === "builtin").map((s) => s.name);
  if (chosen.length === 0) throw new ApiError(503, "no_services", "No services are enabled.", { "Retry-After": "30" });
  // An external service's task calls the tool chosen when it was registered.
  return chosen.map((name) => ({ name, tool: PRIMARY_TOOLS[name] ?? byName.get(name)?.tool ?? "process_document" }));
}
