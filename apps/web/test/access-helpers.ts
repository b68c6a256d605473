// Calls the access-control route handlers directly with standard Requests.
import { expect } from "vitest";
import { BOOTSTRAP_KEY } from "./harness";

export type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function routes() {
  const keys = await import("~/app/api/v1/api-keys/route");
  const key = await import("~/app/api/v1/api-keys/[id]/route");
  const roll = await import("~/app/api/v1/api-keys/[id]/roll/route");
  const users = await import("~/app/api/v1/users/route");
  const user = await import("~/app/api/v1/users/[id]/route");
  const sessions = await import("~/app/api/v1/users/[id]/sessions/route");
  const audit = await import("~/app/api/v1/audit/route");
  const verify = await import("~/app/api/v1/audit/verify/route");
  const process = await import("~/app/api/v1/process/route");
  const job = await import("~/app/api/v1/jobs/[id]/route");
  const authRoute = await import("~/app/api/auth/[...all]/route");
  return { keys, key, roll, users, user, sessions, audit, verify, process, job, auth: authRoute };
}

export type Credentials = { key?: string | null; cookie?: string; headers?: Record<string, string> };

export function request(method: string, path: string, options: Credentials & { json?: unknown; body?: BodyInit } = {}): Request {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? BOOTSTRAP_KEY : options.key;
  if (key) headers.authorization = `Bearer ${key}`;
  if (options.cookie) headers.cookie = options.cookie;
  let body = options.body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  return new Request(`http://127.0.0.1${path}`, { method, headers, body });
}

export const params = <T extends Record<string, string>>(values: T = {} as T) => ({ params: Promise.resolve(values) });

export async function expectError(response: Response, status: number, code?: string) {
  expect(response.status, `expected ${status}${code ? ` ${code}` : ""}`).toBe(status);
  const body = (await response.json()) as { error: { code: string; message: string } };
  if (code) expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
}
