import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { serverContext } from "../context";
import { env } from "../env";
import { ApiError } from "../errors";
import { readWithin } from "../json-body";

/**
 * Signed requests (for keys created with `requireSignature`):
 *
 *   X-Docgate-Timestamp: <Unix seconds>
 *   X-Docgate-Signature: v1=<hex HMAC-SHA256(signingSecret, canonical)>
 *   canonical = METHOD "\n" PATH "\n" TIMESTAMP "\n" hex(SHA-256(body))
 *
 * PATH is the URL path with its query string (`/api/v1/process?wait=0`). A timestamp more
 * than 5 minutes away from the server clock is refused, and so is a signature seen before
 * (kept in Redis for 10 minutes, longer than the window).
 */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const REPLAY_TTL_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS;

export function canonicalRequest(input: { method: string; path: string; timestamp: string; bodySha256: string }): string {
  return `${input.method.toUpperCase()}\n${input.path}\n${input.timestamp}\n${input.bodySha256}`;
}

export function signRequest(secret: string, input: { method: string; path: string; timestamp: string; body?: Uint8Array | string }): string {
  const bodySha256 = createHash("sha256").update(input.body ?? "").digest("hex");
  return `v1=${createHmac("sha256", secret).update(canonicalRequest({ ...input, bodySha256 })).digest("hex")}`;
}

const refuse = (code: string, message: string) => new ApiError(401, code, message);

/**
 * Verifies a request's signature; throws 401 (or 413/503) when it cannot be accepted.
 * `maxBodyBytes`: the route's own body cap, for routes that take more than an upload (the MCP
 * endpoint's base64 documents, bulk imports); by default the upload cap plus form overhead.
 */
export async function verifySignature(request: Request, input: { keyId: string; secret: string; now?: number; maxBodyBytes?: number }): Promise<void> {
  const timestamp = request.headers.get("x-docgate-timestamp");
  const signature = request.headers.get("x-docgate-signature");
  if (!timestamp || !signature) {
    throw refuse("signature_required", "This API key requires signed requests: send X-Docgate-Timestamp and X-Docgate-Signature.");
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw refuse("invalid_signature", "X-Docgate-Timestamp must be Unix time in seconds.");
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw refuse("stale_signature", "The request timestamp is more than 5 minutes from the server's clock; sign it again.");
  }
  const match = /^v1=([0-9a-f]{64})$/i.exec(signature.trim());
  if (!match) throw refuse("invalid_signature", "X-Docgate-Signature must be `v1=` followed by a hex HMAC-SHA256.");

  const url = new URL(request.url);
  // By default the document cap plus room for the multipart framing and form fields.
  const bodySha256 = await hashBody(request, input.maxBodyBytes ?? env().DOCGATE_MAX_UPLOAD_BYTES + 64 * 1024);
  const expected = createHmac("sha256", input.secret)
    .update(canonicalRequest({ method: request.method, path: url.pathname + url.search, timestamp, bodySha256 }))
    .digest();
  const given = Buffer.from(match[1]!, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refuse("invalid_signature", "The request signature does not match; sign method, path, timestamp and body SHA-256 with the key's signing secret.");
  }

  // Replay: each signature is accepted once. Without Redis we cannot tell, so we refuse (503)
  // rather than accept a possibly replayed signed request.
  const replayKey = `${env().DOCGATE_REDIS_PREFIX}:sig:${input.keyId}:${match[1]!.toLowerCase()}`;
  let first: string | null;
  try {
    first = await serverContext().orchestrator.redis.set(replayKey, "1", "EX", REPLAY_TTL_SECONDS, "NX");
  } catch {
    throw new ApiError(503, "dependency_unavailable", "Signed requests cannot be checked for replay right now; try again shortly.", { "Retry-After": "5" });
  }
  if (first !== "OK") throw refuse("replayed_signature", "This signature was already used; sign each request once, with a fresh timestamp.");
}

/**
 * SHA-256 of the body, read from a clone so the route can still read it. Reading stops at
 * `maxBytes` with 413, so the upload size cap holds before any route code runs. The unread
 * branch buffers what was read (at most the cap) until the route consumes it.
 */
async function hashBody(request: Request, maxBytes: number): Promise<string> {
  const hash = createHash("sha256");
  if (!request.body) return hash.digest("hex");
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const reader = request.clone().body!.getReader();
  if (!(await readWithin(reader, maxBytes, (chunk) => hash.update(chunk)))) {
    // A tee'd branch's cancel settles only once both branches are cancelled: cancel
    // both (the request is refused, nothing reads it) and wait for neither.
    reader.cancel().catch(() => {});
    if (!request.bodyUsed) request.body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  return hash.digest("hex");
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, "document_too_large", `The request body exceeds ${maxBytes} bytes (the upload limit plus form overhead); send a smaller document.`);
}
