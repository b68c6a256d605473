import { consoleRole } from "~/server/access/console";
import { AdminOnly } from "../admin-only";
import { AuditPanel } from "./audit-panel";

export const metadata = { title: "Audit log · Docgate" };

export default async function AuditPage() {
  if ((await consoleRole()) !== "admin") return <AdminOnly what="Audit log" />;
  return <AuditPanel />;
}
