import { consoleRole } from "~/server/access/console";
import { AdminOnly } from "../admin-only";
import { UsersPanel } from "./users-panel";

export const metadata = { title: "Users · Docgate" };

export default async function UsersPage() {
  if ((await consoleRole()) !== "admin") return <AdminOnly what="Users" />;
  return <UsersPanel />;
}
