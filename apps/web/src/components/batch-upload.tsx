"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useRef, useState, type DragEvent } from "react";
import { useTRPC } from "~/lib/trpc";
import { StatusBadge } from "./status-badge";

type Item = {
  key: string;
  file: File;
  jobId?: string;
  status: string; // uploading | queued | running | succeeded | partial | failed | cancelled | error
  tasks: Record<string, string>;
  error?: string;
};

const FINAL = ["succeeded", "partial", "failed", "cancelled", "error"];
const PARALLEL_UPLOADS = 3;

/** Several files at once; each shows its own live progress, per service, until done. */
export function BatchUpload() {
  const trpc = useTRPC();
  const taxonomies = useQuery(trpc.model.taxonomies.queryOptions());
  const profiles = useQuery(trpc.profile.list.queryOptions());
  // Built-ins are chosen by default; registered external services can be added.
  const registry = useQuery(trpc.service.list.queryOptions());
  const available = registry.data?.filter((s) => s.enabled).map((s) => s.name) ?? ["classification", "quality"];
  const [profile, setProfile] = useState("");
  const [items, setItems] = useState<Item[]>([]);
  const [services, setServices] = useState<string[]>(["classification", "quality"]);
  const [taxonomy, setTaxonomy] = useState("");
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const patch = useCallback((key: string, change: Partial<Item>) => {
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...change, tasks: { ...it.tasks, ...change.tasks } } : it)));
  }, []);

  const follow = useCallback((key: string, jobId: string) => {
    const source = new EventSource(`/api/v1/jobs/${jobId}/events`);
    source.addEventListener("job", (event) => {
      const job = JSON.parse((event as MessageEvent<string>).data) as { status: string; results: Record<string, { status: string; error: { message: string } | null }> };
      const tasks = Object.fromEntries(Object.entries(job.results).map(([s, r]) => [s, r.status]));
      const failures = Object.entries(job.results).filter(([, r]) => r.error).map(([s, r]) => `${s}: ${r.error!.message}`);
      patch(key, { status: job.status, tasks, ...(failures.length ? { error: failures.join(" · ") } : {}) });
      if (FINAL.includes(job.status)) source.close();
    });
    source.onerror = () => source.close();
  }, [patch]);

  async function submit(files: File[]) {
    const fresh = files.map((file) => ({ key: `${file.name}-${file.size}-${Math.random()}`, file, status: "uploading", tasks: {} }));
    setItems((all) => [...fresh, ...all]);
    const queue = [...fresh];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const body = new FormData();
        body.append("document", item.file);
        for (const s of services) body.append("services", s);
        if (taxonomy) body.append("taxonomy", taxonomy);
        if (profile) body.append("profile", profile);
        try {
          const response = await fetch("/api/v1/process?wait=0", { method: "POST", body });
          const json = (await response.json()) as { id?: string; status?: string; error?: { message: string } };
          if (!response.ok || !json.id) throw new Error(json.error?.message ?? `Upload failed (${response.status}).`);
          patch(item.key, { jobId: json.id, status: json.status ?? "queued" });
          follow(item.key, json.id);
        } catch (error) {
          patch(item.key, { status: "error", error: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_UPLOADS, fresh.length) }, worker));
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length) void submit(files);
  };

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold tracking-tight">Upload documents</h1>
      <div className="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3">
        <fieldset>
          <legend className="text-xs font-medium text-slate-600">Services</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {available.map((s) => (
              <label key={s} className="flex items-center gap-1.5">
                <input type="checkbox" className="accent-indigo-600" checked={services.includes(s)}
                  onChange={(e) => setServices((all) => (e.target.checked ? [...all, s] : all.filter((x) => x !== s)))} />
                {s}
              </label>
            ))}
          </div>
        </fieldset>
        <label>
          <span className="block text-xs font-medium text-slate-600">Taxonomy</span>
          <select value={taxonomy} onChange={(e) => setTaxonomy(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Default</option>
            {taxonomies.data?.map((t) => <option key={t.id} value={t.name}>{t.name}</option>)}
          </select>
        </label>
        <label>
          <span className="block text-xs font-medium text-slate-600">Quality profile</span>
          <select value={profile} onChange={(e) => setProfile(e.target.value)} className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Default</option>
            {profiles.data?.map((p) => <option key={p.id} value={p.name}>{p.name} (v{p.version})</option>)}
          </select>
        </label>
      </div>

      <div
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center justify-center rounded-xl border-2 border-dashed p-10 text-center ${dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"}`}
      >
        <p className="text-sm text-slate-600">Drop files here, or</p>
        <button type="button" onClick={() => input.current?.click()} disabled={services.length === 0}
          className="mt-2 rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
          Choose files
        </button>
        <input ref={input} type="file" multiple aria-label="Documents" className="sr-only"
          onChange={(e) => { const files = [...(e.target.files ?? [])]; e.target.value = ""; if (files.length) void submit(files); }} />
        <p className="mt-2 text-xs text-slate-500">PDF, DOCX, HTML, Markdown, e-mail (.eml) or plain text{services.length === 0 ? " · choose at least one service" : ""}</p>
      </div>

      {items.length > 0 && (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" aria-label="Uploads">
          {items.map((it) => {
            const total = Math.max(1, services.length, Object.keys(it.tasks).length);
            const done = Object.values(it.tasks).filter((s) => FINAL.includes(s)).length;
            const percent = FINAL.includes(it.status) ? 100 : it.status === "uploading" ? 5 : Math.max(10, Math.round((done / total) * 100));
            return (
              <li key={it.key} className="space-y-2 p-4" data-file={it.file.name} data-status={it.status}>
                <div className="flex items-center gap-3 text-sm">
                  <span className="min-w-0 flex-1 truncate font-medium">
                    {it.jobId ? <Link href={`/jobs/${it.jobId}`} className="text-indigo-700 hover:underline">{it.file.name}</Link> : it.file.name}
                  </span>
                  {Object.entries(it.tasks).map(([s, status]) => <StatusBadge key={s} status={status} label={s} />)}
                  <StatusBadge status={it.status === "error" ? "failed" : it.status} label={it.status} />
                </div>
                <div className="h-1.5 overflow-hidden rounded bg-slate-100" role="progressbar" aria-label={`${it.file.name} progress`} aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
                  <div className={`h-full rounded transition-all ${it.status === "error" || it.status === "failed" ? "bg-red-500" : "bg-indigo-500"}`} style={{ width: `${percent}%` }} />
                </div>
                {it.error && <p className="text-xs text-red-700">{it.error}</p>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
