"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { RouterOutputs } from "~/server/trpc/root";
import { useTRPC } from "~/lib/trpc";
import { StatusBadge } from "./status-badge";
import { ClassificationCard, QualityCard, RawOutput } from "./result-cards";
import { DocumentText } from "./document-text";
import { LabelCorrection } from "./label-correction";

type Job = RouterOutputs["job"]["get"];
const FINAL = ["succeeded", "partial", "failed", "cancelled"];

/** The job page fills in live: server-sent events push snapshots; polling is the fallback. */
export function JobLive({ id }: { id: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const options = trpc.job.get.queryOptions({ id });
  const job = useQuery({
    ...options,
    refetchInterval: (query) => (query.state.data && FINAL.includes(query.state.data.status) ? false : 5_000),
  });

  useEffect(() => {
    const source = new EventSource(`/api/v1/jobs/${id}/events`);
    source.addEventListener("job", (event) => {
      queryClient.setQueryData(options.queryKey, JSON.parse((event as MessageEvent<string>).data) as Job);
    });
    source.onerror = () => {
      // The stream ends when the job is final, or the network dropped: polling covers both.
      source.close();
    };
    return () => source.close();
  }, [id, queryClient, options.queryKey]);

  const me = useQuery(trpc.session.me.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: options.queryKey });
  const cancel = useMutation(trpc.job.cancel.mutationOptions({ onSuccess: refresh }));
  const retry = useMutation(trpc.job.retry.mutationOptions({ onSuccess: refresh }));
  const rerun = useMutation(trpc.job.rerun.mutationOptions({ onSuccess: refresh }));
  const canAct = me.data?.role === "admin" || me.data?.role === "operator";
  const finished = !!job.data && FINAL.includes(job.data.status);
  const text = useQuery({ ...trpc.job.text.queryOptions({ id }), enabled: finished });

  if (job.isPending) return <p className="text-sm text-slate-500">Loading job…</p>;
  if (job.isError) return <p role="alert" className="text-sm text-red-700">{job.error.message}</p>;
  const data = job.data;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="min-w-0 truncate text-xl font-semibold tracking-tight">{data.document.filename}</h1>
        <StatusBadge status={data.status} />
        <span className="ml-auto flex items-center gap-3">
          {canAct && !FINAL.includes(data.status) && (
            <button type="button" onClick={() => cancel.mutate({ id: data.id })} disabled={cancel.isPending}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-60">Cancel</button>
          )}
          {canAct && ["failed", "partial", "cancelled"].includes(data.status) && (
            <button type="button" onClick={() => retry.mutate({ id: data.id })} disabled={retry.isPending}
              className="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-50 disabled:opacity-60">Retry</button>
          )}
          <a href={`/api/v1/jobs/${data.id}`} download={`job-${data.id}.json`} className="text-sm text-indigo-700 hover:underline">
            Download JSON
          </a>
        </span>
      </div>
      {(cancel.error ?? retry.error ?? rerun.error) && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{(cancel.error ?? retry.error ?? rerun.error)!.message}</p>}
      <dl className="grid grid-cols-2 gap-4 rounded-xl border border-slate-200 bg-white p-4 text-sm sm:grid-cols-4">
        <Fact term="Type" value={data.document.mimeType} />
        <Fact term="Size" value={formatSize(data.document.sizeBytes)} />
        <Fact term="Pages" value={data.document.pages?.toString() ?? "–"} />
        <Fact term="SHA-256" value={`${data.document.sha256.slice(0, 16)}…`} />
      </dl>
      <div className="grid gap-6 lg:grid-cols-2">
        {data.services.map((service) => {
          const result = data.results[service];
          return (
            <section key={service} data-service={service} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <div className="flex items-center gap-2">
                <h2 className="text-base font-semibold">{service}</h2>
                <StatusBadge status={result?.status ?? "queued"} />
                {result?.cached && <span className="text-xs text-slate-500">from cache</span>}
                {result?.durationMs != null && <span className="ml-auto text-xs text-slate-500">{result.durationMs} ms</span>}
                {canAct && FINAL.includes(data.status) && (
                  <button type="button" onClick={() => rerun.mutate({ id: data.id, service })} disabled={rerun.isPending}
                    className={`${result?.durationMs != null ? "" : "ml-auto "}rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-60`}>
                    Re-run
                  </button>
                )}
              </div>
              <div className="mt-4">
                {!result || result.status === "queued" || result.status === "running" ? (
                  <div className="h-2 overflow-hidden rounded bg-slate-100" aria-label={`${service} in progress`}>
                    <div className="h-full w-1/3 animate-pulse rounded bg-indigo-400" />
                  </div>
                ) : result.status === "failed" ? (
                  <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{result.error?.message ?? "Failed."}</p>
                ) : service === "classification" ? (
                  <>
                    <ClassificationCard output={result.output} />
                    {canAct && (
                      <LabelCorrection jobId={data.id} taxonomy={(result.output as { taxonomy: string }).taxonomy}
                        current={(result.output as { label: string | null }).label} />
                    )}
                  </>
                ) : service === "quality" ? (
                  <QualityCard output={result.output} />
                ) : (
                  <RawOutput output={result.output} />
                )}
              </div>
            </section>
          );
        })}
      </div>
      {data.document.mimeType === "application/pdf" && (
        <section aria-labelledby="document-pages">
          <h2 id="document-pages" className="mb-2 text-base font-semibold">Document</h2>
          <iframe src={`/api/v1/documents/${data.document.id}/content`} title={`${data.document.filename} (PDF)`}
            className="h-[36rem] w-full rounded-lg border border-slate-200 bg-white" />
        </section>
      )}
      {finished && (
        <section aria-labelledby="document-text">
          <h2 id="document-text" className="mb-2 text-base font-semibold">Document text</h2>
          {text.isPending && <p className="text-sm text-slate-500">Loading text…</p>}
          {text.data?.extractionError && <p role="alert" className="text-sm text-red-700">{text.data.extractionError}</p>}
          {text.data && !text.data.extractionError && (
            <DocumentText pages={text.data.pages} truncated={text.data.truncated}
              issues={((data.results.quality?.output as { issues?: Parameters<typeof DocumentText>[0]["issues"] } | null)?.issues) ?? []} />
          )}
        </section>
      )}
    </div>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{term}</dt>
      <dd className="mt-0.5 truncate font-medium">{value}</dd>
    </div>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
