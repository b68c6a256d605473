"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "~/server/trpc/root";
import { useTRPC } from "~/lib/trpc";
import { ConfusionMatrix } from "./confusion-matrix";
import { LabelRulesEditor } from "./label-rules-editor";
import { StatusBadge } from "./status-badge";

type Version = RouterOutputs["model"]["versions"][number];
const RANK = { viewer: 0, operator: 1, admin: 2 } as const;
const pct = (x: number | null | undefined) => (x == null ? "–" : `${(x * 100).toFixed(1)}%`);

/** Taxonomies, their model versions with held-out metrics, training, activation and rollback. */
export function ModelsConsole() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.session.me.queryOptions());
  const taxonomies = useQuery(trpc.model.taxonomies.queryOptions());
  const [selected, setSelected] = useState<string | null>(null);
  const current = selected ?? taxonomies.data?.find((t) => t.isDefault)?.name ?? taxonomies.data?.[0]?.name ?? null;
  const versions = useQuery({
    ...trpc.model.versions.queryOptions({ taxonomy: current ?? "" }),
    enabled: !!current,
    refetchInterval: (q) => (q.state.data?.some((v) => v.status === "training") ? 1_500 : false),
  });
  const [shown, setShown] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.model.pathKey() });
  const train = useMutation(trpc.model.train.mutationOptions({ onSuccess: refresh }));
  const activate = useMutation(trpc.model.activate.mutationOptions({ onSuccess: refresh }));
  const role = me.data?.role ?? "viewer";
  const taxonomy = taxonomies.data?.find((t) => t.name === current);
  const focus: Version | undefined = versions.data?.find((v) => v.id === shown) ?? versions.data?.find((v) => v.status === "active") ?? versions.data?.[0];
  const error = train.error ?? activate.error;

  if (taxonomies.isPending) return <p className="text-sm text-slate-500">Loading taxonomies…</p>;
  if (taxonomies.isError) return <p role="alert" className="text-sm text-red-700">Could not load taxonomies: {taxonomies.error.message}</p>;
  if (!taxonomies.data.length) return <p className="text-sm text-slate-600">No taxonomies yet. Create one with <code>POST /api/v1/taxonomies</code>.</p>;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Models</h1>
        <label className="ml-auto flex items-center gap-2 text-sm">
          <span className="text-slate-600">Taxonomy</span>
          <select value={current ?? ""} onChange={(e) => { setSelected(e.target.value); setShown(null); }}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
            {taxonomies.data.map((t) => <option key={t.id} value={t.name}>{t.name}{t.isDefault ? " (default)" : ""}</option>)}
          </select>
        </label>
        {RANK[role] >= RANK.operator && current && (
          <button type="button" onClick={() => train.mutate({ taxonomy: current })} disabled={train.isPending}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
            {train.isPending ? "Starting…" : "Train new version"}
          </button>
        )}
      </div>
      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error.message}</p>}
      {taxonomy && (
        <p className="text-sm text-slate-600">
          {taxonomy.description ? `${taxonomy.description} · ` : ""}{taxonomy.labels.length} labels · {taxonomy.examples} stored examples
        </p>
      )}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-slate-50 text-xs uppercase text-slate-500">
            <tr><th className="px-4 py-2">Version</th><th className="px-4 py-2">Status</th><th className="px-4 py-2">Accuracy</th><th className="px-4 py-2">Macro-F1</th><th className="px-4 py-2">Held out</th><th className="px-4 py-2">Note</th><th className="px-4 py-2" /></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {versions.data?.map((v) => (
              <tr key={v.id} className={v.id === focus?.id ? "bg-indigo-50/40" : ""}>
                <td className="px-4 py-2"><button type="button" className="font-medium text-indigo-700 hover:underline" onClick={() => setShown(v.id)}>v{v.version}</button></td>
                <td className="px-4 py-2"><StatusBadge status={v.status} /></td>
                <td className="px-4 py-2 tabular-nums">{pct(v.metrics?.accuracy)}</td>
                <td className="px-4 py-2 tabular-nums">{pct(v.metrics?.macroF1)}</td>
                <td className="px-4 py-2 tabular-nums">{v.metrics?.testSize ?? "–"}</td>
                <td className="max-w-md px-4 py-2 text-xs text-slate-600">{v.error ?? v.activation?.reason ?? ""}</td>
                <td className="px-4 py-2 text-right">
                  {role === "admin" && (v.status === "ready" || v.status === "archived") && (
                    <button type="button" onClick={() => activate.mutate({ id: v.id })} disabled={activate.isPending}
                      className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-50 disabled:opacity-60">
                      Activate
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {versions.data?.length === 0 && <p className="px-4 py-3 text-sm text-slate-500">No versions yet.</p>}
      </div>
      {focus?.metrics && (
        <section className="rounded-xl border border-slate-200 bg-white p-5">
          <h2 className="text-base font-semibold">v{focus.version}: confusion matrix on {focus.metrics.testSize} held-out examples</h2>
          <ConfusionMatrix labels={focus.metrics.confusion.labels} matrix={focus.metrics.confusion.matrix} />
        </section>
      )}
      {taxonomy && <LabelRulesEditor key={taxonomy.name} taxonomy={taxonomy.name} labels={taxonomy.labels} canEdit={role === "admin"} />}
    </div>
  );
}
