"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/lib/trpc";

type Role = "admin" | "operator" | "viewer";
const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";
const button = "rounded-md px-3 py-1.5 text-sm font-semibold focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60";

export function UsersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.user.list.queryOptions());
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.user.list.queryKey() });
  const create = useMutation(trpc.user.create.mutationOptions({ onSuccess: (u) => { setNotice(`Created ${u.email}.`); void refresh(); } }));
  const update = useMutation(trpc.user.update.mutationOptions({ onSuccess: (u) => { setNotice(`Updated ${u.email}.`); void refresh(); } }));
  const endSessions = useMutation(trpc.user.endSessions.mutationOptions({ onSuccess: (r) => setNotice(`Ended ${r.ended} session(s).`) }));
  const error = create.error ?? update.error ?? endSessions.error;
  // One message at a time: starting any action clears the others' errors.
  const resetAll = () => { create.reset(); update.reset(); endSessions.reset(); };

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    resetAll();
    create.mutate({ email: String(form.get("email")), password: String(form.get("password")), role: form.get("role") as Role });
    event.currentTarget.reset();
  }

  return (
    <div className="space-y-8">
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-slate-600">Admins manage everything; operators upload, review and retry; viewers only read. The last active admin cannot be demoted or disabled.</p>
        <form onSubmit={onCreate} className="mt-6 grid gap-4 sm:grid-cols-4" aria-label="Create a user">
          <label className="block text-sm font-medium text-slate-700">Email<input name="email" type="email" required className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Password<input name="password" type="password" required minLength={8} autoComplete="new-password" className={input} /></label>
          <label className="block text-sm font-medium text-slate-700">Role
            <select name="role" defaultValue="viewer" className={input}><option value="viewer">viewer</option><option value="operator">operator</option><option value="admin">admin</option></select>
          </label>
          <div className="self-end"><button type="submit" disabled={create.isPending} className={`${button} bg-indigo-600 text-white hover:bg-indigo-500`}>Create user</button></div>
        </form>
        {notice && !error && <p role="status" className="mt-4 text-sm text-emerald-700">{notice}</p>}
        {error && <p role="alert" className="mt-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error.message}</p>}
      </section>
      <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <h2 className="text-lg font-semibold tracking-tight">Everyone</h2>
        {users.isPending && <p className="mt-4 text-sm text-slate-500">Loading…</p>}
        {users.isError && <p role="alert" className="mt-4 text-sm text-red-700">Could not load users: {users.error.message}</p>}
        {users.data && (
          <table className="mt-4 w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
              <tr><th className="py-2 pr-3">Email</th><th className="pr-3">Role</th><th className="pr-3">Status</th><th><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.data.map((user) => (
                <tr key={user.id} className={user.disabled ? "text-slate-400" : ""}>
                  <td className="py-2 pr-3 font-medium">{user.email}</td>
                  <td className="pr-3">
                    <select aria-label={`Role of ${user.email}`} value={user.role} disabled={update.isPending}
                      onChange={(e) => { resetAll(); update.mutate({ id: user.id, role: e.currentTarget.value as Role }); }}
                      className="rounded-md border border-slate-300 px-2 py-1 text-sm">
                      <option value="viewer">viewer</option><option value="operator">operator</option><option value="admin">admin</option>
                    </select>
                  </td>
                  <td className="pr-3">{user.disabled ? "disabled" : "active"}</td>
                  <td className="whitespace-nowrap py-2 text-right">
                    <button type="button" disabled={update.isPending} onClick={() => { resetAll(); update.mutate({ id: user.id, disabled: !user.disabled }); }}
                      className={`${button} ${user.disabled ? "text-indigo-700 hover:bg-indigo-50" : "text-red-700 hover:bg-red-50"}`}>
                      {user.disabled ? "Enable" : "Disable"}<span className="sr-only"> {user.email}</span>
                    </button>
                    <button type="button" disabled={endSessions.isPending} onClick={() => { resetAll(); endSessions.mutate({ id: user.id }); }}
                      className={`${button} text-slate-700 hover:bg-slate-100`}>
                      Log out everywhere<span className="sr-only"> ({user.email})</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
