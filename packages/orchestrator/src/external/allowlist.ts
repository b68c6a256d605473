import { DomainError } from "@docgate/db";

/**
 * The hosts external MCP servers may live on: `DOCGATE_EXTERNAL_HOSTS`, comma-separated
 * `host[:port]` entries (a host alone allows any port on it). Empty by default, so an admin
 * cannot point Docgate at an arbitrary internal address: every outgoing request, redirects
 * included, is checked against it at the moment it is made.
 */
export type HostAllowlist = { entries: string[]; allows(url: URL): boolean };

type Entry = { hostname: string; port: string | null };

export function parseHostAllowlist(raw: string | undefined = process.env.DOCGATE_EXTERNAL_HOSTS): HostAllowlist {
  const entries: Entry[] = [];
  for (const item of (raw ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    try {
      const url = new URL(`http://${item}`);
      if (url.pathname !== "/" || url.username || url.password) continue;
      entries.push({ hostname: url.hostname, port: /:\d+$/.test(item) ? effectivePort(url) : null });
    } catch {
      // Not a host[:port]: ignored rather than widening anything.
    }
  }
  return {
    entries: entries.map((e) => (e.port ? `${e.hostname}:${e.port}` : e.hostname)),
    allows(url) {
      if (url.protocol !== "http:" && url.protocol !== "https:") return false;
      if (url.username || url.password) return false;
      const hostname = url.hostname.toLowerCase();
      const port = effectivePort(url);
      return entries.some((e) => e.hostname === hostname && (e.port === null || e.port === port));
    },
  };
}

function effectivePort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

/** A 400 naming the setting, for the registration form and the REST API. */
export function requireAllowedUrl(raw: string, allowlist: HostAllowlist): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("invalid", "invalid_url", "The url is not a valid absolute URL.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DomainError("invalid", "invalid_url", "The url must be http:// or https:// (MCP Streamable HTTP).");
  }
  // The URL is shown in the console and audited: secrets belong in `token`, not in it.
  if (url.username || url.password || url.search) {
    throw new DomainError("invalid", "invalid_url", "The url may not carry credentials or a query string; pass a secret as `token`.");
  }
  if (!allowlist.allows(url)) {
    const allowed = allowlist.entries.length ? allowlist.entries.join(", ") : "none";
    throw new DomainError(
      "invalid",
      "host_not_allowed",
      `${url.host} is not on the allowlist of external hosts (DOCGATE_EXTERNAL_HOSTS; allowed now: ${allowed}).`,
    );
  }
  return url;
}

/** An outgoing request to a host that is not (or no longer) on the allowlist. */
export class HostNotAllowedError extends Error {
  readonly code = "host_not_allowed";
}

/** fetch that refuses any request, redirects included, to a host off the allowlist. */
export function allowlistedFetch(allowlist: HostAllowlist): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return (url, init) => {
    const target = new URL(url);
    if (!allowlist.allows(target)) {
      return Promise.reject(new HostNotAllowedError(`Refused a request to ${target.host}: not on DOCGATE_EXTERNAL_HOSTS.`));
    }
    return fetch(target, init);
  };
}
