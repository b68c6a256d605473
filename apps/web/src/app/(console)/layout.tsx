import { headers } from "next/headers";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { auth } from "~/server/auth";
import { SignOutButton } from "~/components/sign-out-button";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await auth().api.getSession({ headers: await headers() });
  if (!session) redirect("/login");
  const user = session.user as typeof session.user & { role?: string };
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight text-indigo-700">Docgate</Link>
          <nav className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-600" aria-label="Console">
            <Link href="/" className="hover:text-slate-900">Home</Link>
            {user.role !== "viewer" && <Link href="/upload" className="hover:text-slate-900">Upload</Link>}
            <Link href="/jobs" className="hover:text-slate-900">Jobs</Link>
            <Link href="/models" className="hover:text-slate-900">Models</Link>
            <Link href="/profiles" className="hover:text-slate-900">Profiles</Link>
            <Link href="/services" className="hover:text-slate-900">Services</Link>
            {user.role === "admin" && (
              <>
                <Link href="/keys" className="hover:text-slate-900">API keys</Link>
                <Link href="/users" className="hover:text-slate-900">Users</Link>
                <Link href="/audit" className="hover:text-slate-900">Audit log</Link>
              </>
            )}
            <a href="/docs" className="hover:text-slate-900">API docs</a>
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-600">{user.email}</span>
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">{user.role ?? "viewer"}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
