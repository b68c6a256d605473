"use client";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "~/lib/trpc";

const fmtMs = (ms: number | null) => (ms == null ? "–" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Home at a glance: throughput per hour, success rate, latency, queues, unhealthy services. */
export function OverviewPanel() {
  const trpc = useTRPC();
  const data = useQuery(trpc.service.overview.queryOptions(undefined, { refetchInterval: 5_000 }));
  if (data.isPending) return <p className="text-sm text-slate-500">Loading overview…</p>;
  if (data.isError) return <p role="alert" className="text-sm text-red-700">Could not load the overview: {data.error.message}</p>;
  const o = data.data;
  const hours = o.hours.map((h) => ({ ...h, label: new Date(h.hour).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) }));
  return (
    <section className="space-y-4" aria-label="Overview">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Processed (24 h)" value={String(o.last24h.processed)} />
        <Stat label="Success rate" value={o.last24h.successRate == null ? "–" : `${(o.last24h.successRate * 100).toFixed(1)}%`} />
        <Stat label="Latency p50 / p95" value={`${fmtMs(o.last24h.p50Ms)} / ${fmtMs(o.last24h.p95Ms)}`} />
        <Stat label="Unhealthy services" value={o.unhealthy.length ? o.unhealthy.join(", ") : "none"} tone={o.unhealthy.length ? "bad" : "good"} />
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="rounded-xl border border-slate-200 bg-white p-4 lg:col-span-2">
          <h2 className="text-sm font-semibold">Documents per hour</h2>
          <div className="mt-2 h-48" role="img" aria-label="Documents processed per hour over the last 24 hours">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={hours} margin={{ top: 4, right: 4, bottom: 0, left: -20 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="label" tick={{ fontSize: 10 }} interval={3} />
                <YAxis allowDecimals={false} tick={{ fontSize: 10 }} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="succeeded" stackId="a" fill="#10b981" name="succeeded" />
                <Bar dataKey="failed" stackId="a" fill="#f43f5e" name="failed or partial" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-4">
          <h2 className="text-sm font-semibold">Queues</h2>
          <table className="mt-2 w-full text-sm">
            <thead className="text-xs text-slate-500"><tr><th className="text-left font-medium">Service</th><th className="text-right font-medium">Waiting</th><th className="text-right font-medium">Active</th><th className="text-right font-medium">Failed</th></tr></thead>
            <tbody>
              {o.queues.map((q) => (
                <tr key={q.service}>
                  <td className="py-1">{q.service}</td>
                  <td className="text-right tabular-nums">{q.waiting < 0 ? "?" : q.waiting + q.delayed}</td>
                  <td className="text-right tabular-nums">{q.active < 0 ? "?" : q.active}</td>
                  <td className="text-right tabular-nums">{q.failed < 0 ? "?" : q.failed}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: "good" | "bad" }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4">
      <div className="text-xs text-slate-500">{label}</div>
      <div className={`mt-1 truncate text-lg font-semibold ${tone === "bad" ? "text-red-700" : tone === "good" ? "text-emerald-700" : ""}`}>{value}</div>
    </div>
  );
}
