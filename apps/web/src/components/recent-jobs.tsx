"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/lib/trpc";
import { StatusBadge } from "./status-badge";

export function RecentJobs() {
  const trpc = useTRPC();
  const jobs = useQuery(trpc.job.recent.queryOptions({ limit: 15 }, { refetchInterval: 3_000 }));
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-lg font-semibold tracking-tight">Recent jobs</h2>
      {jobs.isPending && <p className="mt-4 text-sm text-slate-500">Loading…</p>}
      {jobs.isError && <p role="alert" className="mt-4 text-sm text-red-700">Could not load jobs: {jobs.error.message}</p>}
      {jobs.data?.length === 0 && <p className="mt-4 text-sm text-slate-500">No jobs yet. Upload a document to start.</p>}
      <ul className="mt-4 divide-y divide-slate-100">
        {jobs.data?.map((job) => (
          <li key={job.id}>
            <Link href={`/jobs/${job.id}`} className="flex items-center gap-3 py-2 text-sm hover:bg-slate-50">
              <span className="min-w-0 flex-1 truncate font-medium">{job.filename}</span>
              <span className="hidden text-xs text-slate-500 sm:inline">{job.services.join(", ")}</span>
              <StatusBadge status={job.status} />
              <time className="w-20 text-right text-xs text-slate-500" dateTime={job.createdAt.toISOString()}>
                {job.createdAt.toLocaleTimeString()}
              </time>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
