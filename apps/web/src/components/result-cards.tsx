type Classification = {
  label: string | null;
  confidence: number;
  reason?: string;
  taxonomy: string;
  model: { id: string; version: number };
  scores: { label: string; score: number }[];
  explanation?: { term: string; weight: number }[];
  features?: { language: { code: string; confidence: number }; words: number; sentences: number; topKeywords: { term: string; count: number }[] };
  decidedBy?: "rule" | "model";
  rule?: { match: string; pattern: string; matched: string } | null;
  warnings?: string[];
};

type Quality = {
  score: number;
  grade: string;
  passed: boolean;
  metrics: Record<string, unknown> & { words?: number; language?: { code: string; confidence: number } };
  issues: { code: string; severity: string; message: string }[];
};

export function ClassificationCard({ output }: { output: unknown }) {
  const c = output as Classification;
  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-baseline gap-3">
        <span className="text-2xl font-semibold" data-testid="classification-label">{c.label ?? "no label"}</span>
        {c.label && <span className="text-slate-600">{Math.round(c.confidence * 100)}% confident</span>}
      </div>
      {c.reason && <p className="text-slate-600">{c.reason}</p>}
      <p className="text-xs text-slate-500" data-testid="classification-decided-by">
        Taxonomy {c.taxonomy}, {c.decidedBy === "rule" && c.rule
          ? <>decided by a rule ({c.rule.match} “{c.rule.pattern}”, matched “{c.rule.matched}”) before model v{c.model.version}</>
          : <>model v{c.model.version}</>}
      </p>
      {c.warnings?.map((w) => <p key={w} className="text-xs text-amber-700">{w}</p>)}
      <ul className="space-y-1">
        {c.scores.slice(0, 5).map((s) => (
          <li key={s.label} className="flex items-center gap-2">
            <span className="w-32 truncate text-slate-700">{s.label}</span>
            <span className="h-2 flex-1 rounded bg-slate-100">
              <span className="block h-2 rounded bg-indigo-500" style={{ width: `${Math.max(1, s.score * 100)}%` }} />
            </span>
            <span className="w-12 text-right tabular-nums text-slate-600">{(s.score * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ul>
      {!!c.explanation?.length && (
        <p className="text-xs text-slate-600">
          Terms that weighed most: {c.explanation.slice(0, 8).map((e) => e.term).join(", ")}
        </p>
      )}
      {c.features && (
        <dl className="grid grid-cols-3 gap-2 border-t border-slate-100 pt-3 text-xs">
          <div><dt className="text-slate-500">Language</dt><dd className="font-medium">{c.features.language.code} ({Math.round(c.features.language.confidence * 100)}%)</dd></div>
          <div><dt className="text-slate-500">Words / sentences</dt><dd className="font-medium">{c.features.words} / {c.features.sentences}</dd></div>
          <div><dt className="text-slate-500">Keywords</dt><dd className="truncate font-medium">{c.features.topKeywords.slice(0, 5).map((k) => k.term).join(", ") || "–"}</dd></div>
        </dl>
      )}
    </div>
  );
}

const GRADE_STYLE: Record<string, string> = {
  excellent: "text-emerald-700", good: "text-emerald-700", fair: "text-amber-700", poor: "text-red-700",
};
const SEVERITY_STYLE: Record<string, string> = {
  error: "bg-red-50 text-red-800", warning: "bg-amber-50 text-amber-800", info: "bg-slate-50 text-slate-700",
};

export function QualityCard({ output }: { output: unknown }) {
  const q = output as Quality;
  const readability = q.metrics.readability as { fleschReadingEase?: number } | undefined;
  const spelling = (q.metrics as { spellingErrorRate?: number | null }).spellingErrorRate;
  return (
    <div className="space-y-4 text-sm">
      <div className="flex items-baseline gap-3">
        <span className="text-2xl font-semibold tabular-nums" data-testid="quality-score">{Math.round(q.score)}</span>
        <span className={`font-medium ${GRADE_STYLE[q.grade] ?? ""}`}>{q.grade}</span>
        <span className="text-slate-600">{q.passed ? "passed" : "did not pass"}</span>
      </div>
      <dl className="grid grid-cols-4 gap-2 text-xs">
        <div><dt className="text-slate-500">Words</dt><dd className="font-medium">{q.metrics.words ?? "–"}</dd></div>
        <div><dt className="text-slate-500">Language</dt><dd className="font-medium">{q.metrics.language?.code ?? "–"}</dd></div>
        <div><dt className="text-slate-500">Reading ease</dt><dd className="font-medium">{readability?.fleschReadingEase?.toFixed(0) ?? "–"}</dd></div>
        <div><dt className="text-slate-500">Misspelled</dt><dd className="font-medium" data-testid="quality-spelling">{spelling == null ? "–" : `${(spelling * 100).toFixed(1)}%`}</dd></div>
      </dl>
      {q.issues.length === 0 ? (
        <p className="text-slate-600">No issues found.</p>
      ) : (
        <ul className="space-y-1">
          {q.issues.map((issue, i) => (
            <li key={i} className={`rounded px-2 py-1 text-xs ${SEVERITY_STYLE[issue.severity] ?? ""}`}>
              <span className="font-mono">{issue.code}</span>: {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function RawOutput({ output }: { output: unknown }) {
  return <pre className="max-h-80 overflow-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(output, null, 2)}</pre>;
}
