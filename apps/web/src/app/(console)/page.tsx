import { headers } from "next/headers";
import Link from "next/link";
import { auth } from "~/server/auth";
import { OverviewPanel } from "~/components/overview-panel";
import { RecentJobs } from "~/components/recent-jobs";
import { UploadPanel } from "~/components/upload-panel";

export const metadata = { title: "Docgate" };

export default async function HomePage() {
  const session = await auth().api.getSession({ headers: await headers() });
  const role = (session?.user as { role?: string } | undefined)?.role ?? "viewer";
  return (
    <div className="space-y-8">
      <OverviewPanel />
      <div className="grid gap-8 lg:grid-cols-2">
        {role === "viewer" ? (
          <section className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-600">
            You have read-only access: you can review jobs, but not upload documents.
          </section>
        ) : (
          <div className="space-y-2">
            <UploadPanel />
            <p className="text-sm text-slate-600">Several files at once? Use <Link href="/upload" className="text-indigo-700 hover:underline">the batch upload</Link>.</p>
          </div>
        )}
        <RecentJobs />
      </div>
    </div>
  );
}
