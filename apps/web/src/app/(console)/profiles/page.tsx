import { ISSUE_CODES } from "@docgate/mcp/quality";
import { listProfiles } from "@docgate/orchestrator";
import { consoleRole } from "~/server/access/console";
import { serverContext } from "~/server/context";
import { ProfileEditor } from "./profile-editor";

export const metadata = { title: "Quality profiles · Docgate" };
export const dynamic = "force-dynamic";

/** Validation profiles: admins edit, every signed-in role reads. */
export default async function ProfilesPage() {
  const [role, profiles] = await Promise.all([consoleRole(), listProfiles(serverContext().db)]);
  const codes = Object.entries(ISSUE_CODES).map(([code, v]) => ({ code, severity: v.severity as string, weight: v.weight as string, description: v.description as string }));
  return <ProfileEditor profiles={profiles} canEdit={role === "admin"} codes={codes} />;
}
