"use client";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTRPC } from "~/lib/trpc";
import { StatusBadge } from "./status-badge";

const STATUSES = ["queued", "running", "succeeded", "partial", "failed", "cancelled"] as const;
const GRADES = ["poor", "fair", "good", "excellent"] as const;
type Status = (typeof STATUSES)[number];
const PAGE_SIZE = 25;

/** Filters live in the URL, so a filtered view can be bookmarked and shared. */
function useFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const statuses = params.getAll("status").filter((s): s is Status => (STATUSES as readonly string[]).includes(s));
  const filter = {
    ...(statuses.length ? { statuses } : {}),
    ...(params.get("service") ? { service: params.get("service")! } : {}),
    ...(params.get("q") ? { search: params.get("q")! } : {}),
    ...(params.get("label") ? { label: params.get("label")! } : {}),
    ...(params.get("grade") ? { grade: params.get("grade") as (typeof GRADES)[number] } : {}),
    ...(params.get("from") ? { from: new Date(params.get("from")!) } : {}),
    ...(params.get("to") ? { to: new Date(`${params.get("to")!}T23:59:59.999Z`) } : {}),
    ...(params.get("by")?.startsWith("user:") ? { userId: params.get("by")!.slice(5) } : {}),
    ...(params.get("by")?.startsWith("key:") ? { apiKeyId: params.get("by")!.slice(4) } : {}),
  };
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const update = (changes: Record<string, string | string[] | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [key, value] of Object.entries(changes)) {
      next.delete(key);
      for (const v of Array.isArray(value) ? value : value ? [value] : []) next.append(key, v);
    }
    if (!("page" in changes)) next.delete("page");
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  return { params, filter, page, statuses, update };
}

export function JobsDashboard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { params, filter, page, statuses, update } = useFilters();
  const me = useQuery(trpc.session.me.queryOptions());
  const submitters = useQuery(trpc.job.submitters.queryOptions());
  const jobs = useQuery({
    ...trpc.job.list.queryOptions({ filter, page, pageSize: PAGE_SIZE }),
    refetchInterval: 3_000,
    placeholderData: keepPreviousData,
  });
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, setPending] = useState<"retry" | "cancel" | null>(null);
  const bulk = useMutation(trpc.job.bulk.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.job.pathKey() }) }));
  const canAct = me.data?.role === "admin" || me.data?.role === "operator";
  const total = jobs.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const ask = (action: "retry" | "cancel") => {
    setPending(action);
    bulk.reset();
    dialog.current?.showModal();
  };

  return (
    <div className="space-y-5">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="mr-auto text-xl font-semibold tracking-tight">Jobs</h1>
        {canAct && (
          <>
            <button type="button" onClick={() => ask("retry")} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
              Retry matching…
            </button>
            <button type="button" onClick={() => ask("cancel")} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50">
              Cancel matching…
            </button>
          </>
        )}
      </div>

      <form className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 text-sm md:grid-cols-6" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label className="md:col-span-2">
          <span className="block text-xs font-medium text-slate-600">Search</span>
          <input type="search" defaultValue={params.get("q") ?? ""} placeholder="Filename, SHA-256 or job id"
            onKeyDown={(e) => { if (e.key === "Enter") update({ q: e.currentTarget.value.trim() || null }); }}
            onBlur={(e) => update({ q: e.currentTarget.value.trim() || null })}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label>
          <span className="block text-xs font-medium text-slate-600">Service</span>
          <select value={params.get("service") ?? ""} onChange={(e) => update({ service: e.target.value || null })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Any</option><option value="classification">classification</option><option value="quality">quality</option>
          </select>
        </label>
        <label>
          <span className="block text-xs font-medium text-slate-600">Quality grade</span>
          <select value={params.get("grade") ?? ""} onChange={(e) => update({ grade: e.target.value || null })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Any</option>
            {GRADES.map((g) => <option key={g} value={g}>{g}</option>)}
          </select>
        </label>
        <label>
          <span className="block text-xs font-medium text-slate-600">From</span>
          <input type="date" value={params.get("from") ?? ""} onChange={(e) => update({ from: e.target.value || null })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label>
          <span className="block text-xs font-medium text-slate-600">To</span>
          <input type="date" value={params.get("to") ?? ""} onChange={(e) => update({ to: e.target.value || null })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <fieldset className="md:col-span-6">
          <legend className="text-xs font-medium text-slate-600">Status</legend>
          <div className="mt-1 flex flex-wrap gap-2">
            {STATUSES.map((s) => (
              <label key={s} className="flex items-center gap-1.5 rounded-md border border-slate-200 px-2 py-1">
                <input type="checkbox" checked={statuses.includes(s)} className="accent-indigo-600"
                  onChange={(e) => update({ status: e.target.checked ? [...statuses, s] : statuses.filter((x) => x !== s) })} />
                {s}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="md:col-span-2">
          <span className="block text-xs font-medium text-slate-600">Submitted by</span>
          <select value={params.get("by") ?? ""} onChange={(e) => update({ by: e.target.value || null })} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Anyone</option>
            {submitters.data?.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </label>
        <label className="md:col-span-2">
          <span className="block text-xs font-medium text-slate-600">Label</span>
          <input defaultValue={params.get("label") ?? ""} placeholder="e.g. invoice"
            onBlur={(e) => update({ label: e.currentTarget.value.trim() || null })}
            onKeyDown={(e) => { if (e.key === "Enter") update({ label: e.currentTarget.value.trim() || null }); }}
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
      </form>

      {bulk.data && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {bulk.variables?.action === "retry" ? "Retried" : "Cancelled"} {bulk.data.done.length} job(s){bulk.data.skipped.length ? `; skipped ${bulk.data.skipped.length}` : ""}.
        </p>
      )}
      {bulk.error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{bulk.error.message}</p>}

      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase text-slate-500">
            <tr>
              <th className="px-4 py-2">Document</th><th className="px-4 py-2">Status</th><th className="hidden px-4 py-2 md:table-cell">Services</th>
              <th className="px-4 py-2">Label</th><th className="hidden px-4 py-2 sm:table-cell">Grade</th>
              <th className="hidden px-4 py-2 lg:table-cell">Submitted by</th><th className="px-4 py-2">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {jobs.data?.jobs.map((job) => (
              <tr key={job.id} className="hover:bg-slate-50">
                <td className="max-w-xs truncate px-4 py-2"><Link href={`/jobs/${job.id}`} className="font-medium text-indigo-700 hover:underline">{job.filename}</Link></td>
                <td className="px-4 py-2"><StatusBadge status={job.status} /></td>
                <td className="hidden px-4 py-2 md:table-cell">
                  <span className="flex gap-1">{job.tasks.map((t) => <StatusBadge key={t.service} status={t.status} label={t.service} />)}</span>
                </td>
                <td className="px-4 py-2">{job.label ?? "–"}</td>
                <td className="hidden px-4 py-2 sm:table-cell">{job.grade ?? "–"}</td>
                <td className="hidden max-w-[12rem] truncate px-4 py-2 text-slate-600 lg:table-cell">{job.submittedBy ?? "–"}</td>
                <td className="whitespace-nowrap px-4 py-2 text-slate-600"><time dateTime={job.createdAt.toISOString()}>{job.createdAt.toLocaleString()}</time></td>
              </tr>
            ))}
          </tbody>
        </table>
        {jobs.isPending && <p className="px-4 py-3 text-sm text-slate-500">Loading…</p>}
        {jobs.isError && <p role="alert" className="px-4 py-3 text-sm text-red-700">Could not load jobs: {jobs.error.message}</p>}
        {jobs.data?.jobs.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No jobs match these filters.</p>}
      </div>

      <nav className="flex items-center justify-between text-sm" aria-label="Pagination">
        <span className="text-slate-600">{total} job(s) · page {Math.min(page, pages)} of {pages}</span>
        <span className="flex gap-2">
          <button type="button" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })} className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-50">Previous</button>
          <button type="button" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })} className="rounded-md border border-slate-300 bg-white px-3 py-1 disabled:opacity-50">Next</button>
        </span>
      </nav>

      <dialog ref={dialog} className="m-auto w-full max-w-md rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40" aria-labelledby="bulk-title">
        <h2 id="bulk-title" className="text-lg font-semibold">{pending === "retry" ? "Retry" : "Cancel"} matching jobs?</h2>
        <p className="mt-2 text-sm text-slate-600">
          {pending === "retry"
            ? "Every failed, partial or cancelled job that matches the current filters runs its unsuccessful services again."
            : "Every queued or running job that matches the current filters is cancelled; finished results are kept."}
        </p>
        <div className="mt-5 flex justify-end gap-2">
          <button type="button" onClick={() => dialog.current?.close()} className="rounded-md px-3 py-1.5 text-sm hover:bg-slate-100">Keep as is</button>
          <button type="button" onClick={() => { if (pending) bulk.mutate({ action: pending, filter }); dialog.current?.close(); }}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">
            {pending === "retry" ? "Retry them" : "Cancel them"}
          </button>
        </div>
      </dialog>
    </div>
  );
}
