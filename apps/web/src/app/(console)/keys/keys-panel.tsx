"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/lib/trpc";
import type { RouterOutputs } from "~/server/trpc/root";

type Issued = RouterOutputs["apiKey"]["create"];
const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";
const button = "rounded-md px-3 py-1.5 text-sm font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60";
const numberOrNull = (value: FormDataEntryValue | null) => (value && String(value).trim() ? Number(value) : null);

export function KeysPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKey.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKey.list.queryKey() });
  const [issued, setIssued] = useState<{ title: string; key: Issued } | null>(null);
  const create = useMutation(trpc.apiKey.create.mutationOptions({ onSuccess: (key) => { setIssued({ title: `Key “${key.name}” created`, key }); void refresh(); } }));
  const roll = useMutation(trpc.apiKey.roll.mutationOptions({ onSuccess: (key) => { setIssued({ title: `Key “${key.name}” rolled`, key }); void refresh(); } }));
  const revoke = useMutation(trpc.apiKey.revoke.mutationOptions({ onSuccess: () => void refresh() }));
  const error = create.error ?? roll.error ?? revoke.error;
  const resetAll = () => { create.reset(); roll.reset(); revoke.reset(); };

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const services = String(form.get("services") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const expires = String(form.get("expiresAt") ?? "");
    resetAll();
    create.mutate({
      name: String(form.get("name") ?? ""),
      role: form.get("role") as "admin" | "operator" | "viewer",
      services,
      rateLimitPerMinute: numberOrNull(form.get("rateLimitPerMinute")),
      dailyDocumentQuota: numberOrNull(form.get("dailyDocumentQuota")),
      maxConcurrentJobs: numberOrNull(form.get("maxConcurrentJobs")),
      requireSignature: form.get("requireSignature") === "on",
      expiresAt: expires ? new Date(expires) : null,
    });
    event.currentTarget.reset();
  }

  return (
    <div className="space-y-8">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">API keys</h1>
        <p className="mt-1 text-sm text-slate-600">Secrets are shown once, when a key is created or rolled. Docgate stores only their SHA-256.</p>
        {issued && (
          <div role="status" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
            <p className="font-semibold text-amber-900">{issued.title}. Copy the secret now: it will not be shown again.</p>
            <label className="mt-2 block text-amber-900">Key
              <input readOnly value={issued.key.key} aria-label="New API key secret" onFocus={(e) => e.currentTarget.select()} className={`${input} font-mono`} />
            </label>
            {issued.key.signingSecret && (
              <label className="mt-2 block text-amber-900">Signing secret
                <input readOnly value={issued.key.signingSecret} aria-label="Signing secret" onFocus={(e) => e.currentTarget.select()} className={`${input} font-mono`} />
              </label>
            )}
            <button type="button" onClick={() => setIssued(null)} className={`${button} mt-3 bg-amber-100 text-amber-900 hover:bg-amber-200`}>I have stored it</button>
          </div>
        )}
        <form onSubmit={onCreate} className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4" aria-label="Create an API key">
          <label className="block text-sm font-medium text-slate-700">Name<input name="name" required maxLength={100} className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Role
            <select name="role" defaultValue="operator" className={input}>
              <option value="viewer">viewer (read only)</option><option value="operator">operator</option><option value="admin">admin</option>
            </select>
          </label>
          <label className="block text-sm font-medium text-slate-700">Services <span className="font-normal text-slate-500">(comma-separated; empty = all)</span><input name="services" className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Expires<input name="expiresAt" type="datetime-local" className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Requests / minute<input name="rateLimitPerMinute" type="number" min={1} placeholder="600" className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Documents / day<input name="dailyDocumentQuota" type="number" min={1} placeholder="unlimited" className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Concurrent jobs<input name="maxConcurrentJobs" type="number" min={1} placeholder="20" className={input} /></label>
          <label className="flex items-center gap-2 self-end text-sm font-medium text-slate-700"><input name="requireSignature" type="checkbox" className="h-4 w-4 accent-indigo-600" />Require signed requests</label>
          <div className="sm:col-span-2 lg:col-span-4">
            <button type="submit" disabled={create.isPending} className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}>Create key</button>
          </div>
        </form>
        {error && <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error.message}</p>}
      </section>

      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold tracking-tight">Keys</h2>
        {keys.isPending && <p className="mt-4 text-sm text-slate-500">Loading…</p>}
        {keys.isError && <p role="alert" className="mt-4 text-sm text-red-700">Could not load keys: {keys.error.message}</p>}
        {keys.data && (
          <div className="mt-4 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
                <tr><th className="py-2 pr-3">Name</th><th className="pr-3">Key</th><th className="pr-3">Role</th><th className="pr-3">Services</th><th className="pr-3">Limits</th><th className="pr-3">Last used</th><th className="pr-3">Status</th><th><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.data.map((key) => {
                  const status = key.revokedAt ? "revoked" : key.expiresAt && new Date(key.expiresAt) < new Date() ? "expired" : "active";
                  return (
                    <tr key={key.id} className={status === "active" ? "" : "text-slate-400"}>
                      <td className="py-2 pr-3 font-medium">{key.name}</td>
                      <td className="pr-3 font-mono text-xs">{key.start}…{key.requireSignature ? " · signed" : ""}</td>
                      <td className="pr-3">{key.role}</td>
                      <td className="pr-3">{key.services.length ? key.services.join(", ") : "all"}</td>
                      <td className="pr-3 text-xs">{key.rateLimitPerMinute ?? 600}/min · {key.dailyDocumentQuota ?? "∞"}/day · {key.maxConcurrentJobs ?? 20} at once</td>
                      <td className="pr-3 text-xs">{key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : "never"}</td>
                      <td className="pr-3 text-xs">{status}{key.previousExpiresAt && status === "active" ? ` (old secret until ${new Date(key.previousExpiresAt).toLocaleTimeString()})` : ""}</td>
                      <td className="whitespace-nowrap py-2 text-right">
                        {status === "active" && (
                          <>
                            <button type="button" disabled={roll.isPending} className={`${button} text-indigo-700 hover:bg-indigo-50`}
                              onClick={() => window.confirm(`Roll “${key.name}”? The old secret keeps working for one hour.`) && (resetAll(), roll.mutate({ id: key.id, gracePeriodSeconds: 3600 }))}>
                              Roll<span className="sr-only"> {key.name}</span>
                            </button>
                            <button type="button" disabled={revoke.isPending} className={`${button} text-red-700 hover:bg-red-50`}
                              onClick={() => window.confirm(`Revoke “${key.name}”? It stops working within seconds.`) && (resetAll(), revoke.mutate({ id: key.id }))}>
                              Revoke<span className="sr-only"> {key.name}</span>
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
