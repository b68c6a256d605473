type Issue = { code: string; severity: string; message: string; location: { page: number; offset: number; length: number } | null };

const MARK: Record<string, string> = { error: "bg-red-200", warning: "bg-amber-200", info: "bg-sky-100" };

/** The extracted text, page by page, with located quality issues highlighted in place. */
export function DocumentText({ pages, issues, truncated }: { pages: string[]; issues: Issue[]; truncated: boolean }) {
  if (pages.length === 0) return <p className="text-sm text-slate-500">No text was extracted.</p>;
  return (
    <div className="max-h-[32rem] space-y-4 overflow-auto rounded-lg border border-slate-200 bg-white p-4">
      {pages.map((page, i) => {
        const marks = issues
          .filter((issue) => issue.location && issue.location.page === i + 1 && issue.location.length > 0)
          .map((issue) => ({ ...issue.location!, issue }))
          .sort((a, b) => a.offset - b.offset);
        const parts: React.ReactNode[] = [];
        let at = 0;
        for (const m of marks) {
          if (m.offset < at) continue; // overlapping marks: keep the first
          parts.push(page.slice(at, m.offset));
          parts.push(
            <mark key={`${m.offset}-${m.issue.code}`} title={`${m.issue.code}: ${m.issue.message}`} data-issue={m.issue.code}
              className={`rounded px-0.5 ${MARK[m.issue.severity] ?? MARK.info}`}>
              {page.slice(m.offset, m.offset + m.length)}
            </mark>,
          );
          at = m.offset + m.length;
        }
        parts.push(page.slice(at));
        return (
          <section key={i} aria-label={`Page ${i + 1}`}>
            {pages.length > 1 && <h3 className="mb-1 text-xs font-semibold uppercase text-slate-400">Page {i + 1}</h3>}
            <p className="whitespace-pre-wrap font-serif text-sm leading-relaxed text-slate-800">{parts}</p>
          </section>
        );
      })}
      {truncated && <p className="text-xs text-slate-500">The text is cut here for display; download the job JSON for the full result.</p>}
    </div>
  );
}
