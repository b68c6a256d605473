import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { SHOTS, signInAsAdmin } from "./session";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

let server: http.Server;
let url: string;

/** An external MCP server (Streamable HTTP, stateless) with one tool: counts words. */
test.beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    const mcp = new McpServer({ name: "word-counter", version: "1.0.0" });
    mcp.registerTool("count_words", { description: "Counts the words of a text.", inputSchema: { text: z.string() }, outputSchema: { words: z.number() } },
      async ({ text }) => {
        const words = text.split(/\s+/).filter(Boolean).length;
        return { content: [{ type: "text", text: String(words) }], structuredContent: { words } };
      });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => void transport.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

test.afterAll(() => {
  server?.close();
});

test("an admin registers an external MCP server, runs a document through it, and removes it", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAsAdmin(page);
  const name = `words-${Date.now().toString(36)}`;
  await page.goto("/services");
  const form = page.getByRole("region", { name: "Register an external MCP server" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("URL").fill(url);
  await form.getByRole("button", { name: "Register" }).click();
  await expect(form.getByRole("status")).toContainText(`Registered ${name}; jobs call its tool count_words`);
  const card = page.getByRole("region", { name: `Service ${name}` });
  await expect(card).toContainText("breaker closed");
  // Its worker process starts on the supervisor's next pass.
  await expect(card).toContainText("1 live", { timeout: 30_000 });

  await page.goto("/upload");
  const service = (label: string) => page.getByRole("checkbox", { name: label, exact: true });
  await service("classification").uncheck();
  await service("quality").uncheck();
  await service(name).check();
  const file = `external-${name}.txt`;
  await page.getByLabel("Documents").setInputFiles({ name: file, mimeType: "text/plain", buffer: Buffer.from("one two three four five") });
  await expect(page.locator(`li[data-file="${file}"]`)).toHaveAttribute("data-status", "succeeded", { timeout: 30_000 });
  await page.getByRole("link", { name: file }).click();
  await expect(page.locator(`section[data-service="${name}"]`)).toContainText('"words": 5');
  await page.screenshot({ path: `${SHOTS}/external-result.png`, fullPage: true });

  await page.goto("/services");
  await expect(page.getByRole("region", { name: `Service ${name}` })).toContainText("breaker closed");
  await page.screenshot({ path: `${SHOTS}/services-external.png`, fullPage: true });
  const card2 = page.getByRole("region", { name: `Service ${name}` });
  await card2.getByRole("button", { name: "Disable" }).click();
  page.once("dialog", (dialog) => void dialog.accept());
  await card2.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("region", { name: `Service ${name}` })).toHaveCount(0);
});
