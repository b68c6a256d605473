import { DEFAULT_PROFILE } from "@docgate/mcp";
import { serverContext } from "./context";
import { ApiError } from "./errors";

/**
 * The taxonomy and profile names a job may ask for, checked at the door (400) instead of
 * failing its task later. The names are cached for a moment: every upload asks, and they
 * change rarely. A name the cache lacks is looked up once more before it is refused, so a
 * taxonomy or profile created a moment ago is accepted at once.
 */
const NAMES_TTL_MS = 2_000;

type Names = { taxonomies: Set<string>; profiles: Set<string> };
const holder = globalThis as unknown as { __docgateJobOptionNames?: { until: number; value: Promise<Names> } };

function readNames(): Promise<Names> {
  const { db } = serverContext();
  return Promise.all([
    db.taxonomy.findMany({ select: { name: true } }),
    db.qualityProfile.findMany({ select: { name: true, isDefault: true } }),
  ]).then(([taxonomies, profiles]) => ({
    taxonomies: new Set(taxonomies.map((t) => t.name)),
    // With no default marked, the quality service creates the built-in one on first use.
    profiles: new Set([...profiles.map((p) => p.name), ...(profiles.some((p) => p.isDefault) ? [] : [DEFAULT_PROFILE.name])]),
  }));
}

function names(fresh: boolean): Promise<Names> {
  const hit = holder.__docgateJobOptionNames;
  if (!fresh && hit && hit.until > Date.now()) return hit.value;
  const value = readNames();
  holder.__docgateJobOptionNames = { until: Date.now() + NAMES_TTL_MS, value };
  value.catch(() => {
    if (holder.__docgateJobOptionNames?.value === value) holder.__docgateJobOptionNames = undefined;
  });
  return value;
}

const quote = (name: string) => JSON.stringify(name.slice(0, 100));
const listed = (set: Set<string>) => [...set].sort().slice(0, 20).join(", ") || "none";

/** Refuses (400) a `taxonomy` or `profile` that does not exist. */
export async function requireKnownJobOptions(options: { taxonomy?: string; profile?: string }): Promise<void> {
  if (!options.taxonomy && !options.profile) return;
  const missing = (n: Names) =>
    (options.taxonomy !== undefined && !n.taxonomies.has(options.taxonomy)) || (options.profile !== undefined && !n.profiles.has(options.profile));
  let known = await names(false);
  if (missing(known)) known = await names(true);
  if (options.taxonomy !== undefined && !known.taxonomies.has(options.taxonomy)) {
    throw new ApiError(400, "unknown_taxonomy", `There is no taxonomy named ${quote(options.taxonomy)}. Known taxonomies: ${listed(known.taxonomies)}.`);
  }
  if (options.profile !== undefined && !known.profiles.has(options.profile)) {
    throw new ApiError(400, "unknown_profile", `There is no quality profile named ${quote(options.profile)}. Known profiles: ${listed(known.profiles)}.`);
  }
}
