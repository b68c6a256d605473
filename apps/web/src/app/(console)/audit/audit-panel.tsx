"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/lib/trpc";

type Filters = { action?: string; actor?: string; target?: string; from?: string; to?: string };
const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";
const button = "rounded-md px-3 py-1.5 text-sm font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60";

export function AuditPanel() {
  const trpc = useTRPC();
  const [filters, setFilters] = useState<Filters>({});
  const query = {
    action: filters.action || undefined, actor: filters.actor || undefined, target: filters.target || undefined,
    from: filters.from ? new Date(filters.from) : undefined, to: filters.to ? new Date(filters.to) : undefined, limit: 50,
  };
  const rows = useInfiniteQuery(trpc.audit.list.infiniteQueryOptions(query, {
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    initialCursor: undefined,
  }));
  const verify = useQuery({ ...trpc.audit.verify.queryOptions(), enabled: false });

  const csv = new URLSearchParams({ format: "csv", limit: "1000" });
  for (const [name, value] of Object.entries(filters)) {
    if (!value) continue;
    csv.set(name, name === "from" || name === "to" ? new Date(value).toISOString() : value);
  }

  function onFilter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFilters(Object.fromEntries(["action", "actor", "target", "from", "to"].map((k) => [k, String(form.get(k) ?? "").trim()])) as Filters);
  }

  const items = rows.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Audit log</h1>
        <div className="ml-auto flex items-center gap-2">
          <button type="button" onClick={() => void verify.refetch()} disabled={verify.isFetching} className={`${button} bg-slate-100 text-slate-800 hover:bg-slate-200`}>Verify chain</button>
          <a href={`/api/v1/audit?${csv.toString()}`} className={`${button} bg-slate-100 text-slate-800 hover:bg-slate-200`}>Export CSV</a>
        </div>
      </div>
      {verify.data && (
        <p role="status" className={`mt-3 rounded-md px-3 py-2 text-sm ${verify.data.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
          {verify.data.ok ? `The chain is intact (${verify.data.checked} rows checked).` : `The chain is broken at row ${verify.data.firstBrokenId} (after ${verify.data.checked} good rows).`}
        </p>
      )}
      <form onSubmit={onFilter} className="mt-4 grid gap-3 sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter the audit log">
        <label className="block text-sm font-medium text-slate-700">Action<input name="action" placeholder="api_key.*" className={input} /></label>
        <label className="block text-sm font-medium text-slate-700">Actor id<input name="actor" className={input} /></label>
        <label className="block text-sm font-medium text-slate-700">Target<input name="target" className={input} /></label>
        <label className="block text-sm font-medium text-slate-700">From<input name="from" type="datetime-local" className={input} /></label>
        <label className="block text-sm font-medium text-slate-700">To<input name="to" type="datetime-local" className={input} /></label>
        <div className="self-end"><button type="submit" className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}>Filter</button></div>
      </form>
      {rows.isPending && <p className="mt-4 text-sm text-slate-500">Loading…</p>}
      {rows.isError && <p role="alert" className="mt-4 text-sm text-red-700">Could not load the audit log: {rows.error.message}</p>}
      {rows.data && items.length === 0 && <p className="mt-4 text-sm text-slate-500">No rows match.</p>}
      {items.length > 0 && (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
              <tr><th className="py-2 pr-3">When</th><th className="pr-3">Action</th><th className="pr-3">Actor</th><th className="pr-3">Target</th><th className="pr-3">IP</th><th>Details</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100 align-top">
              {items.map((row) => (
                <tr key={row.id} className={row.action === "access.deny" ? "bg-red-50/40" : ""}>
                  <td className="whitespace-nowrap py-2 pr-3 text-xs"><time dateTime={new Date(row.at).toISOString()}>{new Date(row.at).toLocaleString()}</time></td>
                  <td className="pr-3 font-mono text-xs">{row.action}</td>
                  <td className="pr-3 text-xs">{row.actorType}{row.actorId ? ` ${row.actorId.slice(0, 8)}…` : ""}</td>
                  <td className="max-w-48 truncate pr-3 text-xs" title={row.target ?? ""}>{row.target ?? "—"}</td>
                  <td className="pr-3 text-xs">{row.ip ?? "—"}</td>
                  <td className="max-w-md truncate font-mono text-xs text-slate-600" title={JSON.stringify(row.metadata)}>{JSON.stringify(row.metadata)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.hasNextPage && (
        <button type="button" onClick={() => void rows.fetchNextPage()} disabled={rows.isFetchingNextPage} className={`${button} mt-4 bg-slate-100 text-slate-800 hover:bg-slate-200`}>
          {rows.isFetchingNextPage ? "Loading…" : "Load older rows"}
        </button>
      )}
    </section>
  );
}
