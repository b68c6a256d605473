"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/lib/trpc";

type Match = "any" | "all" | "phrase" | "regex";
type Draft = { match: Match; pattern: string; caseInsensitive: boolean };
const MATCH_TEXT: Record<Match, string> = { any: "any of the words", all: "all of the words", phrase: "exact phrase", regex: "regular expression" };

/**
 * Label rules of a taxonomy (paperless-style): everyone sees them in evaluation order; an
 * admin edits one label's rules at a time and saves them together (one audited change).
 */
export function LabelRulesEditor({ taxonomy, labels, canEdit }: { taxonomy: string; labels: string[]; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.model.rules.queryOptions({ taxonomy }));
  const [label, setLabel] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft[]>([]);
  const save = useMutation(
    trpc.model.setRules.mutationOptions({
      onSuccess: () => {
        setLabel(null);
        return queryClient.invalidateQueries({ queryKey: trpc.model.rules.pathKey() });
      },
    }),
  );
  const edit = (next: string) => {
    save.reset();
    setLabel(next);
    setDraft((rules.data?.rules ?? []).filter((r) => r.label === next).map(({ match, pattern, caseInsensitive }) => ({ match, pattern, caseInsensitive })));
  };
  const update = (i: number, patch: Partial<Draft>) => setDraft((d) => d.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-5" aria-labelledby="rules-heading">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="rules-heading" className="text-base font-semibold">Label rules</h2>
        <p className="text-xs text-slate-500">Tried before the model, in label order; the first rule that matches decides.</p>
        {canEdit && (
          <label className="ml-auto flex items-center gap-2 text-sm">
            <span className="text-slate-600">Edit rules of</span>
            <select value={label ?? ""} onChange={(e) => e.target.value && edit(e.target.value)} aria-label="Label to edit"
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
              <option value="">choose a label…</option>
              {labels.map((l) => <option key={l} value={l}>{l}</option>)}
            </select>
          </label>
        )}
      </div>
      {rules.isError && <p role="alert" className="text-sm text-red-700">Could not load rules: {rules.error.message}</p>}
      {rules.data && rules.data.rules.length === 0 && <p className="text-sm text-slate-500">No rules: the model decides every document.</p>}
      {rules.data && rules.data.rules.length > 0 && (
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-1 pr-4">Label</th><th className="py-1 pr-4">Matches</th><th className="py-1 pr-4">Pattern</th><th className="py-1">Case</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rules.data.rules.map((r) => (
              <tr key={r.id}>
                <td className="py-1 pr-4 font-medium">{r.label}</td>
                <td className="py-1 pr-4 text-slate-600">{MATCH_TEXT[r.match]}</td>
                <td className="py-1 pr-4"><code className="break-all">{r.pattern}</code></td>
                <td className="py-1 text-slate-600">{r.caseInsensitive ? "ignored" : "exact"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && label !== null && (
        <form className="space-y-2 rounded-lg bg-slate-50 p-3" onSubmit={(e) => { e.preventDefault(); save.mutate({ taxonomy, label, rules: draft }); }}>
          <p className="text-sm font-medium">Rules for “{label}”</p>
          {draft.length === 0 && <p className="text-xs text-slate-500">None: saving removes this label’s rules.</p>}
          {draft.map((r, i) => (
            <div key={i} className="flex flex-wrap items-center gap-2">
              <select value={r.match} onChange={(e) => update(i, { match: e.target.value as Match })} aria-label={`Rule ${i + 1} kind`}
                className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
                {(Object.keys(MATCH_TEXT) as Match[]).map((m) => <option key={m} value={m}>{MATCH_TEXT[m]}</option>)}
              </select>
              <input value={r.pattern} onChange={(e) => update(i, { pattern: e.target.value })} aria-label={`Rule ${i + 1} pattern`} maxLength={500} required
                className="min-w-64 flex-1 rounded-md border border-slate-300 px-2 py-1 font-mono text-sm" placeholder={r.match === "regex" ? "invoice\\s+no\\.?\\s*\\d+" : "invoice receipt"} />
              <label className="flex items-center gap-1 text-xs text-slate-600">
                <input type="checkbox" checked={r.caseInsensitive} onChange={(e) => update(i, { caseInsensitive: e.target.checked })} /> ignore case
              </label>
              <button type="button" onClick={() => setDraft((d) => d.filter((_, j) => j !== i))} className="text-xs text-red-700 hover:underline">Remove</button>
            </div>
          ))}
          {save.error && <p role="alert" className="text-sm text-red-700">{save.error.message}</p>}
          <div className="flex gap-2">
            <button type="button" onClick={() => setDraft((d) => [...d, { match: "any", pattern: "", caseInsensitive: true }])}
              className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium hover:bg-slate-100">Add rule</button>
            <button type="submit" disabled={save.isPending}
              className="rounded-md bg-indigo-600 px-3 py-1 text-xs font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
              {save.isPending ? "Saving…" : "Save rules"}
            </button>
            <button type="button" onClick={() => setLabel(null)} className="text-xs text-slate-600 hover:underline">Cancel</button>
          </div>
        </form>
      )}
    </section>
  );
}
