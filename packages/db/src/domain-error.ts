/**
 * A refusal from a domain function, in words a person can act on. The web layer maps
 * `kind` to an HTTP status (not_found 404, conflict 409, invalid 400, forbidden 403, unavailable 503).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: "not_found" | "conflict" | "invalid" | "forbidden" | "unavailable",
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
