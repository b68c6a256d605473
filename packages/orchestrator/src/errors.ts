/** A refusal the caller can act on; web maps `kind` to the documented HTTP status. */
export class DomainError extends Error {
  constructor(
    readonly kind: "invalid" | "not_found" | "conflict" | "forbidden" | "unavailable",
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
