import type { z } from "zod";
import { ApiError, invalidInput } from "./errors";

const DEFAULT_MAX_JSON_BYTES = 10 * 1024 * 1024;

/** Reads a JSON body (bounded) and validates it with the route's zod schema. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, maxBytes = DEFAULT_MAX_JSON_BYTES): Promise<z.infer<S>> {
  if (!/^application\/json/i.test(request.headers.get("content-type") ?? "")) {
    throw new ApiError(415, "unsupported_media_type", "Send a JSON body with Content-Type: application/json.");
  }
  const text = Buffer.from(await readBodyBytes(request, maxBytes)).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}

/** The whole body, refused with 413 (`tooLarge`) as soon as it passes `maxBytes`. */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
  tooLarge = () => new ApiError(413, "body_too_large", `The body exceeds ${maxBytes} bytes.`),
): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  const reader = request.body.getReader();
  const within = await readWithin(reader, maxBytes, (chunk) => chunks.push(chunk));
  if (!within) {
    await reader.cancel();
    throw tooLarge();
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Hands each chunk to `onChunk` until the stream ends (true) or more than `maxBytes` have
 * arrived (false, the reader left for the caller to cancel: how depends on the stream).
 */
export async function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number, onChunk: (chunk: Uint8Array) => void): Promise<boolean> {
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return true;
    size += value.byteLength;
    if (size > maxBytes) return false;
    onChunk(value);
  }
}
