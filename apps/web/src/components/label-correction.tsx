"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/lib/trpc";

/** Lets an operator correct the label; the correction becomes a training example. */
export function LabelCorrection({ jobId, taxonomy, current }: { jobId: string; taxonomy: string; current: string | null }) {
  const trpc = useTRPC();
  const taxonomies = useQuery(trpc.model.taxonomies.queryOptions());
  const labels = taxonomies.data?.find((t) => t.name === taxonomy)?.labels ?? [];
  const [label, setLabel] = useState("");
  const correct = useMutation(trpc.model.correct.mutationOptions());
  if (!labels.length) return null;
  return (
    <form className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3 text-sm"
      onSubmit={(e) => { e.preventDefault(); if (label) correct.mutate({ jobId, label }); }}>
      <label htmlFor={`correct-${jobId}`} className="text-slate-600">Correct label</label>
      <select id={`correct-${jobId}`} value={label} onChange={(e) => { setLabel(e.target.value); correct.reset(); }}
        className="rounded-md border border-slate-300 bg-white px-2 py-1">
        <option value="">Choose…</option>
        {labels.filter((l) => l !== current).map((l) => <option key={l} value={l}>{l}</option>)}
      </select>
      <button type="submit" disabled={!label || correct.isPending}
        className="rounded-md border border-slate-300 px-2 py-1 font-medium hover:bg-slate-50 disabled:opacity-50">
        Save as training example
      </button>
      {correct.isSuccess && <span role="status" className="text-emerald-700">Saved: {taxonomy} now has {correct.data.total} examples.</span>}
      {correct.error && <span role="alert" className="text-red-700">{correct.error.message}</span>}
    </form>
  );
}
