import { ErrorSchema } from "../api-schemas";

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input", 401: "No or bad API key", 403: "Not allowed", 404: "Not found", 409: "Conflict",
  413: "Document too large", 415: "Unsupported document type", 422: "The document cannot be read",
  429: "Rate limited (see Retry-After)", 503: "A dependency is down (see Retry-After)",
};

/** Error responses for registerPath, all in the public error shape. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: ERROR_TEXT[s] ?? "Error", content: { "application/json": { schema: ErrorSchema } } }]),
  );
