import { auditActor, type Principal } from "./principal";
import { clientAddress } from "./access/deny";

/** Who did it and from where, for audit rows. */
export function auditFrom(request: Request, principal: Principal) {
  return { actor: auditActor(principal), ip: clientAddress(request), userAgent: request.headers.get("user-agent") };
}
