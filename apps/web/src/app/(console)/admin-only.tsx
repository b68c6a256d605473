/** Shown instead of an admin page to other roles: no controls, one sentence on why. */
export function AdminOnly({ what }: { what: string }) {
  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 text-sm text-slate-600">
      <h1 className="text-lg font-semibold tracking-tight text-slate-900">{what}</h1>
      <p className="mt-2">Only admins can see and change this. Ask an admin if you need access.</p>
    </section>
  );
}
