import { consoleRole } from "~/server/access/console";
import { AdminOnly } from "../admin-only";
import { KeysPanel } from "./keys-panel";

export const metadata = { title: "API keys · Docgate" };

export default async function KeysPage() {
  if ((await consoleRole()) !== "admin") return <AdminOnly what="API keys" />;
  return <KeysPanel />;
}
