import { headers } from "next/headers";
import { auth } from "~/server/auth";
import { BatchUpload } from "~/components/batch-upload";

export const metadata = { title: "Upload · Docgate" };

export default async function UploadPage() {
  const session = await auth().api.getSession({ headers: await headers() });
  const role = (session?.user as { role?: string } | undefined)?.role ?? "viewer";
  if (role === "viewer") {
    return <p className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-600">You have read-only access: uploading needs the operator role.</p>;
  }
  return <BatchUpload />;
}
