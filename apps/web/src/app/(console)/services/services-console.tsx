"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RouterOutputs } from "~/server/trpc/root";
import { useTRPC } from "~/lib/trpc";
import { StatusBadge } from "~/components/status-badge";

type Service = RouterOutputs["service"]["list"][number];
type Patch = { concurrency?: number; replicas?: number; paused?: boolean; enabled?: boolean; rateLimitPerSecond?: number | null };

const HEALTH: Record<string, string> = { up: "succeeded", degraded: "partial", down: "failed" };
const fmtMs = (ms: number | null | undefined) => (ms == null ? "–" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const pct = (x: number | null) => (x == null ? "–" : `${(x * 100).toFixed(1)}%`);

/** Per service: health, instances, queue depth and age, throughput, latency, errors; admins change capacity live. */
export function ServicesConsole() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.session.me.queryOptions());
  const services = useQuery(trpc.service.list.queryOptions(undefined, { refetchInterval: 3_000 }));
  const events = useQuery(trpc.service.events.queryOptions({ limit: 30 }, { refetchInterval: 5_000 }));
  const update = useMutation(trpc.service.update.mutationOptions({
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() }),
  }));
  const alerts = useQuery(trpc.service.alerts.queryOptions(undefined, { refetchInterval: 5_000 }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.service.pathKey() });
  const remove = useMutation(trpc.service.remove.mutationOptions({ onSuccess: invalidate }));
  const isAdmin = me.data?.role === "admin";
  const apply = (name: string, patch: Patch) => update.mutate({ name, patch });

  if (services.isPending) return <p className="text-sm text-slate-500">Loading services…</p>;
  if (services.isError) return <p role="alert" className="text-sm text-red-700">Could not load services: {services.error.message}</p>;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold tracking-tight">Services</h1>
        <p className="text-sm text-slate-600">Changes apply on every worker host within seconds and are kept across restarts.</p>
      </div>
      {alerts.data?.firing.length ? (
        <section aria-label="Firing alerts" className="rounded-xl border border-red-200 bg-red-50 px-4 py-3">
          <h2 className="text-sm font-semibold text-red-800">Firing alerts ({alerts.data.firing.length})</h2>
          <ul className="mt-1 space-y-0.5 text-sm text-red-800">
            {alerts.data.firing.map((a) => (
              <li key={a.id}><span className="font-mono text-xs">{a.rule}</span> · {a.message} <span className="text-xs text-red-700">since {new Date(a.firedAt).toLocaleTimeString()}{a.notifiedAt ? " · webhook notified" : ""}</span></li>
            ))}
          </ul>
        </section>
      ) : null}
      {(update.error ?? remove.error) && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{(update.error ?? remove.error)?.message}</p>}
      <div className="grid gap-4 lg:grid-cols-2">
        {services.data.map((s) => (
          <ServiceCard key={s.name} service={s} isAdmin={isAdmin} busy={update.isPending || remove.isPending} apply={apply}
            remove={(name) => { if (window.confirm(`Remove the external service ${name}?`)) remove.mutate({ name }); }} />
        ))}
      </div>
      {isAdmin && <RegisterExternal onDone={invalidate} />}
      {alerts.data?.recent.length ? (
        <section className="rounded-xl border border-slate-200 bg-white">
          <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold">Resolved alerts</h2>
          <ul className="divide-y divide-slate-100 text-sm">
            {alerts.data.recent.map((a) => (
              <li key={a.id} className="px-4 py-2 text-slate-600">
                <span className="font-mono text-xs">{a.rule}</span> · {a.message} · {new Date(a.firedAt).toLocaleTimeString()} → {a.resolvedAt ? new Date(a.resolvedAt).toLocaleTimeString() : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section className="rounded-xl border border-slate-200 bg-white">
        <h2 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold">Scaling events</h2>
        {events.data?.length ? (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase text-slate-500">
                <tr><th className="px-4 py-2">When</th><th className="px-4 py-2">Service</th><th className="px-4 py-2">Change</th><th className="px-4 py-2">Reason</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {events.data.map((e) => (
                  <tr key={e.id}>
                    <td className="whitespace-nowrap px-4 py-2 text-slate-600">{new Date(e.at).toLocaleString()}</td>
                    <td className="px-4 py-2 font-medium">{e.service}</td>
                    <td className="px-4 py-2 font-mono text-xs">{describeChange(e.change)}</td>
                    <td className="px-4 py-2 text-slate-600">{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p className="px-4 py-3 text-sm text-slate-500">No scaling events yet.</p>}
      </section>
    </div>
  );
}

function describePolicy(policy: unknown): string {
  if (!policy || typeof policy !== "object") return "manual scaling";
  const p = policy as { minReplicas?: number; maxReplicas?: number; minConcurrency?: number; maxConcurrency?: number; targetWaitMs?: number };
  return `autoscale: replicas ${p.minReplicas}–${p.maxReplicas}, concurrency ${p.minConcurrency}–${p.maxConcurrency}, target wait ${fmtMs(p.targetWaitMs ?? null)}`;
}

function describeChange(change: unknown): string {
  const to = (change as { to?: Record<string, unknown> } | null)?.to ?? {};
  const entries = Object.entries(to);
  return entries.length ? entries.map(([k, v]) => `${k} → ${v === null ? "none" : String(v)}`).join(", ") : "no change";
}

function ServiceCard({ service: s, isAdmin, busy, apply, remove }: {
  service: Service; isAdmin: boolean; busy: boolean; apply: (name: string, patch: Patch) => void; remove: (name: string) => void;
}) {
  const q = s.queue;
  return (
    <section aria-label={`Service ${s.name}`} className="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-base font-semibold">{s.name}</h2>
        <StatusBadge status={HEALTH[s.status] ?? "queued"} label={s.status} />
        {s.paused && <StatusBadge status="cancelled" label="paused" />}
        {!s.enabled && <StatusBadge status="cancelled" label="disabled" />}
        <span className="ml-auto text-xs text-slate-500">{s.kind}{s.version ? ` · v${s.version}` : ""}</span>
      </div>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
        <Metric label="Waiting" value={q ? String(q.waiting) : "–"} />
        <Metric label="Active" value={q ? String(q.active) : "–"} />
        <Metric label="Delayed" value={q ? String(q.delayed) : "–"} />
        <Metric label="Failed" value={q ? String(q.failed) : "–"} />
        <Metric label="Oldest waiting" value={fmtMs(q?.oldestWaitingMs)} />
        <Metric label="Tasks / min (5 min)" value={String(s.window.perMinute)} />
        <Metric label="p50 / p95" value={`${fmtMs(s.window.p50Ms)} / ${fmtMs(s.window.p95Ms)}`} />
        <Metric label="Error rate" value={pct(s.window.errorRate)} />
      </dl>
      <p className="text-xs text-slate-500">
        Concurrency {s.concurrency} · replicas {s.replicas} · rate limit {s.rateLimitPerSecond ? `${s.rateLimitPerSecond}/s` : "none"}
        {" · "}{describePolicy(s.autoscale)}
        {s.lastCheck && ` · last check ${s.lastCheck.status}${s.lastCheck.latencyMs != null ? ` in ${s.lastCheck.latencyMs} ms` : ""} at ${new Date(s.lastCheck.checkedAt).toLocaleTimeString()}`}
      </p>
      {s.external && (
        <p className="break-all text-xs text-slate-600">
          <span className="font-mono">{s.external.url}</span> · tool <span className="font-mono">{s.external.tool}</span>
          {" "}({s.external.documentMapping} → <span className="font-mono">{s.external.documentArgument}</span>)
          {s.external.hasToken ? " · token set" : ""} · breaker{" "}
          <span className={s.external.breaker.state === "closed" ? "text-emerald-700" : "font-semibold text-red-700"}>{s.external.breaker.state.replace("_", "-")}</span>
          {s.external.breaker.state === "open" && s.external.breaker.openUntil ? ` until ${new Date(s.external.breaker.openUntil).toLocaleTimeString()}` : ""}
          {isAdmin && (s.enabled
            ? <span className="ml-2 text-slate-500">(disable it to remove it)</span>
            : <button type="button" disabled={busy} onClick={() => remove(s.name)} className="ml-2 rounded-md border border-red-300 px-2 py-0.5 text-xs font-medium text-red-700 hover:bg-red-50 disabled:opacity-60">Remove</button>)}
        </p>
      )}
      <div>
        <h3 className="text-xs font-semibold uppercase text-slate-500">Instances ({s.instances.length} live)</h3>
        <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
          {s.instances.map((i) => (
            <li key={i.id} className="font-mono">{i.host} pid {i.pid} · {i.active}/{i.concurrency} busy · beat {new Date(i.heartbeatAt).toLocaleTimeString()}</li>
          ))}
          {!s.instances.length && <li>No live instance.</li>}
        </ul>
      </div>
      {isAdmin && <Controls service={s} busy={busy} apply={apply} />}
    </section>
  );
}

function Controls({ service: s, busy, apply }: { service: Service; busy: boolean; apply: (name: string, patch: Patch) => void }) {
  const [concurrency, setConcurrency] = useState(String(s.concurrency));
  const [replicas, setReplicas] = useState(String(s.replicas));
  const [rate, setRate] = useState(s.rateLimitPerSecond ? String(s.rateLimitPerSecond) : "");
  const input = "w-20 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";
  const button = "rounded-md border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-50 disabled:opacity-60";
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const patch: Patch = {};
    if (Number(concurrency) !== s.concurrency) patch.concurrency = Number(concurrency);
    if (Number(replicas) !== s.replicas) patch.replicas = Number(replicas);
    const nextRate = rate.trim() === "" ? null : Number(rate);
    if (nextRate !== s.rateLimitPerSecond) patch.rateLimitPerSecond = nextRate;
    if (Object.keys(patch).length) apply(s.name, patch);
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-3 text-sm">
      <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Concurrency</span>
        <input type="number" min={1} max={256} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} className={input} /></label>
      <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Replicas</span>
        <input type="number" min={1} max={64} value={replicas} onChange={(e) => setReplicas(e.target.value)} className={input} /></label>
      <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Rate limit / s</span>
        <input type="number" min={1} placeholder="none" value={rate} onChange={(e) => setRate(e.target.value)} className={input} /></label>
      <button type="submit" disabled={busy} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">Apply</button>
      <button type="button" disabled={busy} onClick={() => apply(s.name, { paused: !s.paused })} className={button}
        title={s.paused ? undefined : "Hold its queue: no queued task starts until resumed; running ones finish."}>{s.paused ? "Resume" : "Pause"}</button>
      <button type="button" disabled={busy} onClick={() => apply(s.name, { enabled: !s.enabled })} className={button}
        title={s.enabled ? "Accept no new jobs for it; the tasks it already accepted still run, then its workers stop." : undefined}>{s.enabled ? "Disable" : "Enable"}</button>
    </form>
  );
}

/** Admins register an external MCP server (Streamable HTTP) on an allowlisted host. */
function RegisterExternal({ onDone }: { onDone: () => void }) {
  const trpc = useTRPC();
  const [fields, setFields] = useState({ name: "", url: "", token: "", tool: "", documentMapping: "text" as "text" | "content" | "resource_link" });
  const register = useMutation(trpc.service.register.mutationOptions({
    onSuccess: () => {
      setFields({ name: "", url: "", token: "", tool: "", documentMapping: "text" });
      onDone();
    },
  }));
  const set = (key: keyof typeof fields) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setFields({ ...fields, [key]: e.target.value });
  const input = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm";
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    register.mutate({
      name: fields.name.trim(), url: fields.url.trim(), documentMapping: fields.documentMapping,
      ...(fields.token ? { token: fields.token } : {}), ...(fields.tool.trim() ? { tool: fields.tool.trim() } : {}),
    });
  };
  return (
    <section aria-label="Register an external MCP server" className="rounded-xl border border-slate-200 bg-white p-4">
      <h2 className="text-sm font-semibold">Register an external MCP server</h2>
      <p className="mt-1 text-xs text-slate-500">Streamable HTTP on a host listed in DOCGATE_EXTERNAL_HOSTS. Docgate lists its tools now; jobs then name it like any service.</p>
      <form onSubmit={submit} className="mt-3 flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Name</span>
          <input required value={fields.name} onChange={set("name")} placeholder="ocr-plus" className={`${input} w-36`} /></label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">URL</span>
          <input required type="url" value={fields.url} onChange={set("url")} placeholder="http://host:port/mcp" className={`${input} w-64`} /></label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Token (optional)</span>
          <input type="password" autoComplete="off" value={fields.token} onChange={set("token")} className={`${input} w-40`} /></label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Tool (optional)</span>
          <input value={fields.tool} onChange={set("tool")} placeholder="auto" className={`${input} w-36`} /></label>
        <label className="flex flex-col gap-1"><span className="text-xs text-slate-600">Document as</span>
          <select value={fields.documentMapping} onChange={set("documentMapping")} className={input}>
            <option value="text">extracted text</option><option value="content">content (bytes)</option><option value="resource_link">resource link</option>
          </select></label>
        <button type="submit" disabled={register.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
          {register.isPending ? "Connecting…" : "Register"}</button>
      </form>
      {register.error && <p role="alert" className="mt-2 text-sm text-red-700">{register.error.message}</p>}
      {register.data && <p role="status" className="mt-2 text-sm text-emerald-700">Registered {register.data.name}; jobs call its tool {register.data.tool}.</p>}
    </section>
  );
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="tabular-nums font-medium">{value}</dd>
    </div>
  );
}
