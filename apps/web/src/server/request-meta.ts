import { auditActor, type Principal } from "./principal";
import { clientIp } from "./process";

/** Who did it and from where, for audit rows. */
export function auditFrom(request: Request, principal: Principal) {
  return { actor: auditActor(principal), ip: clientIp(request), userAgent: request.headers.get("user-agent") };
}
