import { Suspense } from "react";
import { JobsDashboard } from "~/components/jobs-dashboard";

export const metadata = { title: "Jobs · Docgate" };

export default function JobsPage() {
  return (
    <Suspense fallback={<p className="text-sm text-slate-500">Loading jobs…</p>}>
      <JobsDashboard />
    </Suspense>
  );
}
