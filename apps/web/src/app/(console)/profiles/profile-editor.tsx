"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ProfileView } from "@docgate/orchestrator";
import { useTRPC } from "~/lib/trpc";

type Code = { code: string; severity: string; weight: string; description: string };
type Draft = {
  id?: string;
  name: string;
  description: string;
  isDefault: boolean;
  minWords: string;
  allowedLanguages: string;
  maxGarbledRatio: string;
  maxSpellingErrorRate: string;
  personalData: "any" | "allowed" | "forbidden";
  requiredPhrases: string;
  pageMin: string;
  pageMax: string;
  minScore: string;
  failOnError: boolean;
};

const EMPTY: Draft = {
  name: "", description: "", isDefault: false, minWords: "", allowedLanguages: "", maxGarbledRatio: "", maxSpellingErrorRate: "", personalData: "any",
  requiredPhrases: "", pageMin: "", pageMax: "", minScore: "", failOnError: false,
};

function toDraft(p: ProfileView): Draft {
  const r = p.rules;
  return {
    id: p.id,
    name: p.name,
    description: p.description ?? "",
    isDefault: p.isDefault,
    minWords: r.minWords?.toString() ?? "",
    allowedLanguages: r.allowedLanguages?.join(", ") ?? "",
    maxGarbledRatio: r.maxGarbledRatio?.toString() ?? "",
    maxSpellingErrorRate: r.maxSpellingErrorRate?.toString() ?? "",
    personalData: r.personalDataAllowed === undefined ? "any" : r.personalDataAllowed ? "allowed" : "forbidden",
    requiredPhrases: r.requiredPhrases?.join("\n") ?? "",
    pageMin: r.pageRange?.min?.toString() ?? "",
    pageMax: r.pageRange?.max?.toString() ?? "",
    minScore: r.minScore?.toString() ?? "",
    failOnError: r.failOnError ?? false,
  };
}

const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

function toRules(d: Draft): ProfileView["rules"] {
  const langs = d.allowedLanguages.split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const phrases = d.requiredPhrases.split("\n").map((s) => s.trim()).filter(Boolean);
  const pageRange = { min: num(d.pageMin), max: num(d.pageMax) };
  const rules: Record<string, unknown> = {
    minWords: num(d.minWords),
    allowedLanguages: langs.length ? langs : undefined,
    maxGarbledRatio: num(d.maxGarbledRatio),
    maxSpellingErrorRate: num(d.maxSpellingErrorRate),
    personalDataAllowed: d.personalData === "any" ? undefined : d.personalData === "allowed",
    requiredPhrases: phrases.length ? phrases : undefined,
    pageRange: pageRange.min === undefined && pageRange.max === undefined ? undefined : JSON.parse(JSON.stringify(pageRange)),
    minScore: num(d.minScore),
    failOnError: d.failOnError || undefined,
  };
  // Drop the unset rules (undefined) so the server's strict schema sees only what was filled in.
  return JSON.parse(JSON.stringify(rules)) as ProfileView["rules"];
}

/**
 * A sentence for a refused save. Input validation errors arrive as the zod issue list in
 * JSON (tRPC's message for a bad input); domain refusals (duplicate name) as a sentence.
 */
function saveError(message: string): string {
  try {
    const issues = JSON.parse(message) as { path?: (string | number)[]; message?: string }[];
    // Paths name the form's rules ("rules.pageRange"), not the update's envelope ("patch.").
    if (Array.isArray(issues)) return issues.map((i) => `${(i.path ?? []).filter((p) => p !== "patch").join(".")}: ${i.message ?? "invalid"}`).join("; ");
  } catch {
    // Not JSON: already a sentence.
  }
  return message;
}

const input = "w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-50";

/** The profile list and an editor; read-only for non-admins. */
export function ProfileEditor({ profiles, canEdit, codes }: { profiles: ProfileView[]; canEdit: boolean; codes: Code[] }) {
  const router = useRouter();
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Draft>(profiles[0] ? toDraft(profiles[0]) : EMPTY);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // The audited profile.create / profile.update procedures (admin only, checked on the server).
  const handlers = {
    onSuccess: (saved: ProfileView) => {
      setDraft(toDraft(saved));
      setMessage({ ok: true, text: `Saved as version ${saved.version}.` });
      router.refresh();
    },
    onError: (error: { message: string }) => setMessage({ ok: false, text: saveError(error.message) }),
  };
  const create = useMutation(trpc.profile.create.mutationOptions(handlers));
  const update = useMutation(trpc.profile.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const disabled = !canEdit || pending;

  const save = () => {
    setMessage(null);
    const description = draft.description.trim() || null;
    const rules = toRules(draft);
    if (draft.id) update.mutate({ id: draft.id, patch: { description, rules, ...(draft.isDefault ? { isDefault: true as const } : {}) } });
    else create.mutate({ name: draft.name.trim(), description, rules, isDefault: draft.isDefault });
  };

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Quality profiles</h1>
        {canEdit && (
          <button type="button" onClick={() => { setDraft(EMPTY); setMessage(null); }}
            className="ml-auto rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">New profile</button>
        )}
      </div>
      <p className="text-sm text-slate-600">
        A request names its profile with the form field <code>profile</code>; the default applies otherwise. The quality result says
        whether the document <code>passed</code> and lists the <code>failedRules</code>. Every change bumps the version and is audited.
        {!canEdit && " Only admins can change profiles."}
      </p>
      <div className="grid gap-6 md:grid-cols-[16rem_1fr]">
        <ul className="space-y-1" aria-label="Profiles">
          {profiles.map((p) => (
            <li key={p.id}>
              <button type="button" onClick={() => { setDraft(toDraft(p)); setMessage(null); }}
                className={`w-full rounded-md px-3 py-2 text-left text-sm ${draft.id === p.id ? "bg-indigo-50 text-indigo-800" : "hover:bg-slate-100"}`}>
                <span className="font-medium">{p.name}</span> <span className="text-slate-500">v{p.version}</span>
                {p.isDefault && <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs">default</span>}
              </button>
            </li>
          ))}
        </ul>
        <form className="space-y-4 rounded-xl border border-slate-200 bg-white p-5" onSubmit={(e) => { e.preventDefault(); save(); }}>
          <div className="grid gap-4 sm:grid-cols-2">
            <label className="text-sm">Name
              <input className={input} value={draft.name} disabled={disabled || !!draft.id} onChange={(e) => set("name", e.target.value)} required pattern="[a-z0-9][a-z0-9_\-]{0,63}" />
            </label>
            <label className="text-sm">Description
              <input className={input} value={draft.description} disabled={disabled} onChange={(e) => set("description", e.target.value)} />
            </label>
            <label className="text-sm">Minimum words
              <input className={input} type="number" min={0} value={draft.minWords} disabled={disabled} onChange={(e) => set("minWords", e.target.value)} />
            </label>
            <label className="text-sm">Allowed languages (ISO 639-3, comma-separated)
              <input className={input} placeholder="eng, deu" value={draft.allowedLanguages} disabled={disabled} onChange={(e) => set("allowedLanguages", e.target.value)} />
            </label>
            <label className="text-sm">Maximum garbled ratio (0–1)
              <input className={input} type="number" min={0} max={1} step="any" value={draft.maxGarbledRatio} disabled={disabled} onChange={(e) => set("maxGarbledRatio", e.target.value)} />
            </label>
            <label className="text-sm">Maximum spelling error rate (0–1, English text)
              <input className={input} type="number" min={0} max={1} step="any" placeholder="0.05" value={draft.maxSpellingErrorRate} disabled={disabled} onChange={(e) => set("maxSpellingErrorRate", e.target.value)} />
            </label>
            <label className="text-sm">Personal data
              <select className={input} value={draft.personalData} disabled={disabled} onChange={(e) => set("personalData", e.target.value as Draft["personalData"])}>
                <option value="any">not checked</option>
                <option value="allowed">allowed</option>
                <option value="forbidden">forbidden</option>
              </select>
            </label>
            <label className="text-sm">Pages, minimum
              <input className={input} type="number" min={0} value={draft.pageMin} disabled={disabled} onChange={(e) => set("pageMin", e.target.value)} />
            </label>
            <label className="text-sm">Pages, maximum
              <input className={input} type="number" min={1} value={draft.pageMax} disabled={disabled} onChange={(e) => set("pageMax", e.target.value)} />
            </label>
            <label className="text-sm">Minimum score (0–100)
              <input className={input} type="number" min={0} max={100} value={draft.minScore} disabled={disabled} onChange={(e) => set("minScore", e.target.value)} />
            </label>
            <div className="flex flex-col justify-end gap-2 text-sm">
              <label className="flex items-center gap-2"><input type="checkbox" checked={draft.failOnError} disabled={disabled} onChange={(e) => set("failOnError", e.target.checked)} /> Fail on any error-severity issue</label>
              <label className="flex items-center gap-2"><input type="checkbox" checked={draft.isDefault} disabled={disabled} onChange={(e) => set("isDefault", e.target.checked)} /> Default profile</label>
            </div>
          </div>
          <label className="block text-sm">Required phrases (one per line)
            <textarea className={`${input} h-24`} value={draft.requiredPhrases} disabled={disabled} onChange={(e) => set("requiredPhrases", e.target.value)} />
          </label>
          {message && <p role={message.ok ? "status" : "alert"} className={`rounded-md px-3 py-2 text-sm ${message.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-700"}`}>{message.text}</p>}
          {canEdit && (
            <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
              {pending ? "Saving…" : draft.id ? "Save new version" : "Create profile"}
            </button>
          )}
        </form>
      </div>
      <details className="rounded-xl border border-slate-200 bg-white p-5 text-sm">
        <summary className="cursor-pointer font-semibold">Issue codes</summary>
        <table className="mt-3 w-full text-left">
          <thead><tr className="text-slate-500"><th className="py-1 pr-3">code</th><th className="pr-3">severity</th><th className="pr-3">score effect</th><th>when</th></tr></thead>
          <tbody>
            {codes.map((c) => (
              <tr key={c.code} className="border-t border-slate-100 align-top">
                <td className="py-1 pr-3 font-mono text-xs">{c.code}</td><td className="pr-3">{c.severity}</td><td className="pr-3">{c.weight}</td><td>{c.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
