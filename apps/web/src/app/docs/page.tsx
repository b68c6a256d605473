import { openApiDocument } from "~/server/openapi";

export const metadata = { title: "API · Docgate" };

type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: { type?: string } };
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>;
};

/** A readable rendering of /api/openapi.json: the same document, no second source of truth. */
export default function DocsPage() {
  const doc = openApiDocument() as unknown as {
    info: { title: string; description?: string };
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
  };
  return (
    <main className="mx-auto max-w-4xl px-4 py-10">
      <h1 className="text-2xl font-semibold tracking-tight">{doc.info.title}</h1>
      <p className="mt-2 text-slate-600">{doc.info.description}</p>
      <p className="mt-2 text-sm">
        Machine-readable: <a className="text-indigo-700 underline" href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
        Authenticate with <code className="rounded bg-slate-100 px-1">Authorization: Bearer dg_…</code>.
      </p>
      <div className="mt-8 space-y-6">
        {Object.entries(doc.paths).flatMap(([path, methods]) =>
          Object.entries(methods).map(([method, op]) => (
            <section key={`${method} ${path}`} className="rounded-xl border border-slate-200 bg-white p-5">
              <h2 className="font-mono text-sm">
                <span className="mr-2 rounded bg-indigo-100 px-2 py-0.5 font-semibold uppercase text-indigo-800">{method}</span>
                {path}
              </h2>
              <p className="mt-2 font-medium">{op.summary}</p>
              {op.description && <p className="mt-1 text-sm text-slate-600">{op.description}</p>}
              {!!op.parameters?.length && (
                <ul className="mt-3 space-y-1 text-sm">
                  {op.parameters.map((p) => (
                    <li key={`${p.in}:${p.name}`}>
                      <code className="rounded bg-slate-100 px-1">{p.name}</code>{" "}
                      <span className="text-xs text-slate-500">{p.in}{p.required ? ", required" : ""}{p.schema?.type ? `, ${p.schema.type}` : ""}</span>
                      {p.description && <span className="text-slate-600"> — {p.description}</span>}
                    </li>
                  ))}
                </ul>
              )}
              {op.requestBody && (
                <details className="mt-3 text-sm">
                  <summary className="cursor-pointer text-indigo-700">Request body ({Object.keys(op.requestBody.content).join(", ")})</summary>
                  <pre className="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-3 text-xs">
                    {JSON.stringify(Object.values(op.requestBody.content)[0]?.schema, null, 2)}
                  </pre>
                </details>
              )}
              <ul className="mt-3 flex flex-wrap gap-2 text-xs">
                {Object.entries(op.responses ?? {}).map(([status, r]) => (
                  <li key={status} className="rounded bg-slate-100 px-2 py-0.5"><span className="font-semibold">{status}</span> {r.description}</li>
                ))}
              </ul>
            </section>
          )),
        )}
      </div>
      {doc.components?.schemas && (
        <section className="mt-10">
          <h2 className="text-lg font-semibold">Schemas</h2>
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <details key={name} id={`schema-${name}`} className="mt-2 rounded-lg border border-slate-200 bg-white p-3 text-sm">
              <summary className="cursor-pointer font-mono">{name}</summary>
              <pre className="mt-2 max-h-96 overflow-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(schema, null, 2)}</pre>
            </details>
          ))}
        </section>
      )}
    </main>
  );
}
