"use server";
import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { DomainError, type Role } from "@docgate/db";
import { createProfile, CreateProfileInput, updateProfile, UpdateProfileInput } from "@docgate/orchestrator";
import { auth } from "~/server/auth";
import { serverContext } from "~/server/context";

export type SaveResult = { ok: true; version: number } | { ok: false; error: string };

/**
 * Creates (no `id`) or updates a profile from the console editor. Admin only, checked here
 * again (the page hides the form from others); the domain function writes the audit row.
 */
export async function saveProfile(input: { id?: string; name: string; description: string | null; rules: unknown; isDefault: boolean }): Promise<SaveResult> {
  const h = await headers();
  const session = await auth().api.getSession({ headers: h });
  const user = session?.user as { id: string; role?: Role; disabled?: boolean } | undefined;
  if (!user || user.disabled) return { ok: false, error: "Sign in first." };
  if (user.role !== "admin") return { ok: false, error: "Only admins can change validation profiles." };
  const change = {
    actor: { type: "user" as const, id: user.id },
    ip: h.get("x-forwarded-for")?.split(",")[0]?.trim() || null,
    userAgent: h.get("user-agent"),
  };
  try {
    const { db } = serverContext();
    if (input.id) {
      const patch = UpdateProfileInput.safeParse({ description: input.description, rules: input.rules, ...(input.isDefault ? { isDefault: true } : {}) });
      if (!patch.success) return { ok: false, error: patch.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
      const saved = await updateProfile(db, input.id, patch.data, change);
      revalidatePath("/profiles");
      return { ok: true, version: saved.version };
    }
    const create = CreateProfileInput.safeParse({ name: input.name, description: input.description, rules: input.rules, isDefault: input.isDefault });
    if (!create.success) return { ok: false, error: create.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
    const saved = await createProfile(db, create.data, change);
    revalidatePath("/profiles");
    return { ok: true, version: saved.version };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error: error.message };
    throw error;
  }
}
