import { headers } from "next/headers";
import { auth } from "~/server/auth";
import { UploadPanel } from "~/components/upload-panel";
import { RecentJobs } from "~/components/recent-jobs";

export const metadata = { title: "Docgate" };

export default async function HomePage() {
  const session = await auth().api.getSession({ headers: await headers() });
  const role = (session?.user as { role?: string } | undefined)?.role ?? "viewer";
  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      {role === "viewer" ? (
        <section className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-600">
          You have read-only access: you can review jobs, but not upload documents.
        </section>
      ) : (
        <UploadPanel />
      )}
      <RecentJobs />
    </div>
  );
}
