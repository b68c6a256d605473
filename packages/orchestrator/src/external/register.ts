import type { Redis } from "ioredis";
import { z } from "zod";
import { DomainError, Prisma, writeAudit, type ChangeContext, type Db } from "@docgate/db";
import { connectRemote } from "@docgate/mcp";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { announceServiceChange } from "../services-admin";
import { allowlistedFetch, parseHostAllowlist, requireAllowedUrl, type HostAllowlist } from "./allowlist";

/** How the document reaches an external tool (see docs/services.md). */
export const DOCUMENT_MAPPINGS = ["text", "content", "resource_link"] as const;
export type DocumentMapping = (typeof DOCUMENT_MAPPINGS)[number];

export const ExternalServiceInputSchema = z
  .object({
    /** Lower-case, no dots: the MCP gateway names its tools `<name>.<tool>`. */
    name: z.string().regex(/^[a-z][a-z0-9_-]{1,39}$/, "Use 2–40 lower-case letters, digits, - or _, starting with a letter."),
    url: z.string().min(1).max(2_000),
    token: z.string().min(1).max(4_000).optional(),
    /** The tool a job's task calls; defaults to the only tool, or the first that takes a document argument. */
    tool: z.string().min(1).max(200).optional(),
    documentMapping: z.enum(DOCUMENT_MAPPINGS).default("text"),
    /** The argument that carries the document; defaults to the first of text/content/document the tool takes. */
    documentArgument: z.string().min(1).max(100).optional(),
    timeoutMs: z.number().int().min(1_000).max(300_000).optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
  })
  .strict();
export type ExternalServiceInput = z.input<typeof ExternalServiceInputSchema>;

const DOCUMENT_ARGUMENT_NAMES = ["text", "content", "document", "input", "body"];

/** The catalog entry stored on Service.tools (the same shape built-in workers register). */
export function toCatalog(tools: Tool[]): Prisma.InputJsonValue {
  return tools.map((t) => ({
    name: t.name, title: t.title ?? null, description: t.description ?? null, inputSchema: t.inputSchema,
    outputSchema: t.outputSchema ?? null, annotations: t.annotations ?? null,
  })) as Prisma.InputJsonValue;
}

const propertiesOf = (tool: Tool) => Object.keys((tool.inputSchema?.properties as Record<string, unknown> | undefined) ?? {});

function chooseTool(tools: Tool[], wanted: string | undefined, argument: string | undefined): Tool {
  const names = tools.map((t) => t.name).join(", ") || "none";
  if (wanted) {
    const tool = tools.find((t) => t.name === wanted);
    if (!tool) throw new DomainError("invalid", "unknown_tool", `The server has no tool "${wanted}". Its tools: ${names}.`);
    return tool;
  }
  if (tools.length === 1) return tools[0]!;
  const takesDocument = tools.find((t) => propertiesOf(t).some((p) => (argument ? p === argument : DOCUMENT_ARGUMENT_NAMES.includes(p))));
  if (takesDocument) return takesDocument;
  throw new DomainError("invalid", "tool_required", `Name the tool that jobs call (field \`tool\`). The server's tools: ${names}.`);
}

function chooseArgument(tool: Tool, wanted: string | undefined): string {
  const properties = propertiesOf(tool);
  if (wanted) {
    if (properties.length && !properties.includes(wanted)) {
      throw new DomainError("invalid", "unknown_argument", `The tool "${tool.name}" takes no argument "${wanted}". It takes: ${properties.join(", ")}.`);
    }
    return wanted;
  }
  const known = DOCUMENT_ARGUMENT_NAMES.find((n) => properties.includes(n));
  if (known) return known;
  const required = (tool.inputSchema?.required as string[] | undefined) ?? [];
  return required[0] ?? properties[0] ?? "text";
}

export type RegisterDeps = { db: Db; redis?: Redis | null; prefix: string; allowlist?: HostAllowlist };

/**
 * Registers an external MCP server (Streamable HTTP): checks the URL against the allowlist,
 * connects and lists its tools (a server we cannot list is refused, not half-registered),
 * picks the tool jobs call, stores the service with its audit row in one transaction, and
 * announces it so the workers start serving its queue.
 */
export async function registerExternalService(deps: RegisterDeps, raw: unknown, change: ChangeContext) {
  const parsed = ExternalServiceInputSchema.safeParse(raw);
  if (!parsed.success) throw new DomainError("invalid", "invalid_input", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  const input = parsed.data;
  const allowlist = deps.allowlist ?? parseHostAllowlist();
  const url = requireAllowedUrl(input.url, allowlist);
  if (await deps.db.service.findUnique({ where: { name: input.name }, select: { name: true } })) {
    throw new DomainError("conflict", "service_exists", `A service named "${input.name}" already exists.`);
  }

  const timeoutMs = input.timeoutMs ?? 30_000;
  let tools: Tool[];
  let version: string | null = null;
  try {
    const remote = await connectRemote(url.toString(), { token: input.token, fetch: allowlistedFetch(allowlist), timeoutMs: Math.min(timeoutMs, 10_000) });
    try {
      tools = await remote.listTools();
      version = remote.client.getServerVersion()?.version ?? null;
    } finally {
      await remote.close();
    }
  } catch (error) {
    throw new DomainError("invalid", "service_unreachable", `Could not list the tools at ${url.origin}${url.pathname}: ${(error as Error).message.slice(0, 300)}`);
  }
  const tool = chooseTool(tools, input.tool, input.documentArgument);
  const documentArgument = chooseArgument(tool, input.documentArgument);

  const row = await deps.db.$transaction(async (tx) => {
    try {
      const created = await tx.service.create({
        data: {
          name: input.name, kind: "external", url: url.toString(), token: input.token ?? null, version,
          tools: toCatalog(tools), tool: tool.name, documentArgument, documentMapping: input.documentMapping,
          timeoutMs, concurrency: input.concurrency ?? 4, status: "up", statusChangedAt: new Date(),
        },
      });
      await writeAudit(tx, {
        actor: change.actor, action: "service.register", target: input.name, ip: change.ip ?? null, userAgent: change.userAgent ?? null,
        // Never the token.
        metadata: { url: url.toString(), tool: tool.name, documentArgument, documentMapping: input.documentMapping, tools: tools.length, token: Boolean(input.token) },
      });
      return created;
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        throw new DomainError("conflict", "service_exists", `A service named "${input.name}" already exists.`);
      }
      throw error;
    }
  });
  await announceServiceChange(deps, input.name);
  return row;
}

/**
 * Removes an external service. It must be disabled first (so no gateway copy still accepts
 * jobs for it: their catalogs refresh within seconds) and have no unfinished tasks (their jobs
 * would never complete).
 */
export async function removeExternalService(deps: RegisterDeps, name: string, change: ChangeContext): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    const service = await tx.service.findUnique({ where: { name }, select: { kind: true, enabled: true } });
    if (!service) throw new DomainError("not_found", "service_not_found", `There is no service named "${name}".`);
    if (service.kind !== "external") throw new DomainError("conflict", "builtin_service", `"${name}" is built in: disable it instead.`);
    if (service.enabled) throw new DomainError("conflict", "service_enabled", `Disable "${name}" first, so no new jobs are accepted for it, then remove it.`);
    const unfinished = await tx.jobTask.count({ where: { service: name, status: { in: ["queued", "running"] } } });
    if (unfinished > 0) {
      throw new DomainError("conflict", "service_busy", `"${name}" has ${unfinished} unfinished task(s). Disable it, wait for them to end, then remove it.`);
    }
    await tx.service.delete({ where: { name } });
    await writeAudit(tx, { actor: change.actor, action: "service.remove", target: name, ip: change.ip ?? null, userAgent: change.userAgent ?? null });
  });
  await announceServiceChange(deps, name);
}
