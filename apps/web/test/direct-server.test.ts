// The web process's server: registered routes get the standard Request Next would have built
// (body, query, x-forwarded-* headers, a signal that aborts when the client hangs up) and answer
// with next.config's headers added; everything else goes to Next's handler.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebServer, headersFromBuild } from "../direct-server.mjs";

let server: http.Server;
let base: string;
let hungUp: Promise<void>;
let waitStarted: () => void;
const started = new Promise<void>((resolve) => (waitStarted = resolve));

beforeAll(async () => {
  const routes = new Map<string, (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>>([
    ["POST /api/v1/echo", async (request) => {
      const headers = new Headers({ "x-handler": "yes" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return Response.json({
        method: request.method,
        url: request.url,
        body: await request.text(),
        forwardedFor: request.headers.get("x-forwarded-for"),
        forwardedProto: request.headers.get("x-forwarded-proto"),
        custom: request.headers.get("x-custom"),
      }, { status: 201, headers });
    }],
    ["POST /api/v1/wait", (request) => {
      hungUp = new Promise((resolve) => request.signal.addEventListener("abort", () => resolve()));
      waitStarted();
      return hungUp.then(() => new Response(null, { status: 204 }));
    }],
    ["POST /api/v1/broken", async () => {
      throw new Error("adapter-level failure");
    }],
    ["GET /api/v1/jobs/:id", async (_request, { params }) => Response.json(await params)],
    // Refuses without reading the upload, as authentication does.
    ["POST /api/v1/refuse", async (request) => Response.json({ authorization: request.headers.get("authorization") }, { status: 401 })],
  ]);
  // The server builds request URLs from the port it was given, so it gets a free one up front.
  const probe = net.createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)));
  await new Promise((resolve) => probe.close(resolve));
  server = createWebServer({
    nextHandler: (req, res) => res.end(`next:${req.method} ${req.url}`),
    routes,
    configHeaders: (pathname) => (pathname.startsWith("/api/v1/") ? [["X-Frame-Options", "DENY"]] : []),
    port,
    hostname: "127.0.0.1",
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends bytes as they are (headers fetch would refuse) and returns the whole answer. */
function rawRequest(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1", () => socket.end(text));
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("createWebServer", () => {
  it("calls a registered route with the request as Next would build it, and adds the config's headers", async () => {
    const response = await fetch(`${base}/api/v1/echo?wait=0`, { method: "POST", body: "hello", headers: { "x-custom": "kept" } });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      method: "POST", url: `${base}/api/v1/echo?wait=0`, body: "hello", forwardedFor: "127.0.0.1", forwardedProto: "http", custom: "kept",
    });
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-handler")).toBe("yes");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("builds the URL from the server's own address, whatever Host the client sends", async () => {
    for (const host of ["evil.example/x?y", "[::1", "foo bar"]) {
      const answer = await rawRequest(`POST /api/v1/echo?wait=0 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      expect(answer).toMatch(/^HTTP\/1\.1 201/);
      expect(answer).toContain(`"url":"${base}/api/v1/echo?wait=0"`);
    }
  });

  it("passes headers as Node parsed them: one Authorization, the first", async () => {
    const answer = await rawRequest("POST /api/v1/refuse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    expect(answer).toContain('{"authorization":"Bearer one"}');
  });

  it("keeps a keep-alive connection usable after refusing an upload it never read", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = Buffer.alloc(300 * 1024, 120);
    try {
      for (let i = 0; i < 3; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request(`${base}/api/v1/refuse`, { method: "POST", agent, headers: { "content-length": body.length } }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode!));
          });
          req.setTimeout(3_000, () => req.destroy(new Error("the connection stalled")));
          req.on("error", reject);
          req.end(body);
        });
        expect(status).toBe(401);
      }
    } finally {
      agent.destroy();
    }
  });

  it("keeps the X-Forwarded-For a proxy in front sent", async () => {
    const response = await fetch(`${base}/api/v1/echo`, { method: "POST", body: "", headers: { "x-forwarded-for": "203.0.113.7" } });
    expect((await response.json()).forwardedFor).toBe("203.0.113.7");
  });

  it("fills a pattern's params from the path, decoded as Next decodes them", async () => {
    expect(await (await fetch(`${base}/api/v1/jobs/a%20b?x=1`)).json()).toEqual({ id: "a b" });
    expect(await (await fetch(`${base}/api/v1/jobs/abc/events`)).text()).toBe("next:GET /api/v1/jobs/abc/events");
    expect(await (await fetch(`${base}/api/v1/jobs/%E0%A4%A`)).text()).toBe("next:GET /api/v1/jobs/%E0%A4%A");
    expect(await (await fetch(`${base}/api/v1/jobs/`)).text()).toBe("next:GET /api/v1/jobs/");
  });

  it("hands other methods and paths to Next", async () => {
    expect(await (await fetch(`${base}/api/v1/echo`)).text()).toBe("next:GET /api/v1/echo");
    expect(await (await fetch(`${base}/login?next=%2F`)).text()).toBe("next:GET /login?next=%2F");
  });

  it("aborts request.signal when the client hangs up", async () => {
    const client = http.request(`${base}/api/v1/wait`, { method: "POST" });
    client.on("error", () => {}); // the socket is ours to destroy
    client.end("x");
    await started;
    client.destroy();
    await hungUp; // the test times out if the signal never aborts
  });

  it("answers 500 in the error shape when the route itself throws", async () => {
    const response = await fetch(`${base}/api/v1/broken`, { method: "POST" });
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe("internal_error");
  });
});

describe("headersFromBuild", () => {
  const appWith = (headers: unknown[]) => {
    const dir = mkdtempSync(path.join(tmpdir(), "docgate-manifest-"));
    mkdirSync(path.join(dir, ".next"));
    writeFileSync(path.join(dir, ".next/routes-manifest.json"), JSON.stringify({ headers }));
    return dir;
  };

  it("applies the compiled headers() rules whose pattern matches the path", () => {
    const headersFor = headersFromBuild(appWith([
      { source: "/((?!api/v1/documents/).*)", regex: "^(?:/((?!api/v1/documents/).*))(?:/)?$", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] },
    ]));
    expect(headersFor("/api/v1/process")).toEqual([["X-Content-Type-Options", "nosniff"]]);
    expect(headersFor("/api/v1/documents/abc/content")).toEqual([]);
  });

  it("refuses conditional rules it does not evaluate", () => {
    const dir = appWith([{ source: "/x", regex: "^/x$", has: [{ type: "header", key: "a" }], headers: [] }]);
    expect(() => headersFromBuild(dir)).toThrow(/has/);
  });
});
