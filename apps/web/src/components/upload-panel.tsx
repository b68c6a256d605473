"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

const SERVICES = [
  { name: "classification", label: "Classification", hint: "Label the document with the default taxonomy" },
  { name: "quality", label: "Quality", hint: "Readability, language, encoding problems and a score" },
];

export function UploadPanel() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get("document");
    if (!(file instanceof File) || file.size === 0) {
      setError("Choose a non-empty file first.");
      return;
    }
    if (form.getAll("services").length === 0) {
      setError("Choose at least one service.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/v1/process?wait=0", { method: "POST", body: form });
      const body = (await response.json()) as { id?: string; error?: { message: string } };
      if (!response.ok || !body.id) throw new Error(body.error?.message ?? `The upload failed (${response.status}).`);
      router.push(`/jobs/${body.id}`);
    } catch (caught) {
      setError((caught as Error).message);
      setPending(false);
    }
  }

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-xl font-semibold tracking-tight">Process a document</h1>
      <p className="mt-1 text-sm text-slate-600">PDF, DOCX, HTML, Markdown, e-mail (.eml) or plain text. The type is read from the file itself.</p>
      <form onSubmit={onSubmit} className="mt-6 space-y-5">
        <label className="block">
          <span className="text-sm font-medium text-slate-700">Document</span>
          <input name="document" type="file" required aria-label="Document"
            className="mt-1 block w-full text-sm text-slate-700 file:mr-4 file:rounded-md file:border-0 file:bg-indigo-50 file:px-4 file:py-2 file:text-sm file:font-semibold file:text-indigo-700 hover:file:bg-indigo-100" />
        </label>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Services</legend>
          <div className="mt-2 space-y-2">
            {SERVICES.map((s) => (
              <label key={s.name} className="flex items-start gap-3 rounded-md border border-slate-200 p-3 hover:bg-slate-50">
                <input type="checkbox" name="services" value={s.name} defaultChecked className="mt-0.5 h-4 w-4 accent-indigo-600" />
                <span>
                  <span className="block text-sm font-medium">{s.label}</span>
                  <span className="block text-xs text-slate-500">{s.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}
        <button type="submit" disabled={pending}
          className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60">
          {pending ? "Uploading…" : "Upload and process"}
        </button>
      </form>
    </section>
  );
}
