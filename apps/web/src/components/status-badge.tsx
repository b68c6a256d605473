const STYLES: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  running: "bg-blue-100 text-blue-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  partial: "bg-amber-100 text-amber-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-200 text-slate-600",
  training: "bg-blue-100 text-blue-800",
  ready: "bg-sky-100 text-sky-800",
  active: "bg-emerald-100 text-emerald-800",
  archived: "bg-slate-200 text-slate-600",
};

/** A status pill; `label` replaces the text (e.g. a service name coloured by its status). */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span data-status={status} title={label ? `${label}: ${status}` : undefined}
      className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[status] ?? STYLES.queued}`}>
      {label ?? status}
    </span>
  );
}
