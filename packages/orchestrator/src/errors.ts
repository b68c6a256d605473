// One refusal type across packages: it lives in @docgate/db, the lowest layer.
export { DomainError } from "@docgate/db";
