import { classifyRemoteError, connectRemote, type RemoteMcpClient } from "@docgate/mcp";
import { allowlistedFetch, parseHostAllowlist, type HostAllowlist } from "./allowlist";

export type ExternalEndpoint = { name: string; url: string; token: string | null; timeoutMs: number };

/**
 * One MCP session per external service and process, opened on first use and reused: an
 * initialize handshake per call would double the round trips. A session that fails at the
 * transport level is dropped, so the next call reconnects (the server may have restarted
 * and forgotten it).
 */
export class ExternalClients {
  private readonly sessions = new Map<string, { key: string; client: Promise<RemoteMcpClient> }>();

  constructor(private readonly allowlist: () => HostAllowlist = () => parseHostAllowlist()) {}

  get(endpoint: ExternalEndpoint): Promise<RemoteMcpClient> {
    const key = `${endpoint.url}\n${endpoint.token ?? ""}`;
    const open = this.sessions.get(endpoint.name);
    if (open && open.key === key) return open.client;
    if (open) void open.client.then((c) => c.close(), () => {});
    const client = connectRemote(endpoint.url, {
      token: endpoint.token,
      fetch: allowlistedFetch(this.allowlist()),
      timeoutMs: Math.min(endpoint.timeoutMs, 30_000),
    });
    this.sessions.set(endpoint.name, { key, client });
    client.catch(() => this.forget(endpoint.name, client));
    return client;
  }

  /**
   * Runs `fn` on the service's session. Only a transport failure drops the session (a timeout
   * or a JSON-RPC error answer leaves it to the other calls sharing it), and is tried once more
   * on a fresh one: a server that restarted has forgotten our session and refused the request.
   */
  async use<T>(endpoint: ExternalEndpoint, fn: (client: RemoteMcpClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const pending = this.get(endpoint);
      try {
        return await fn(await pending);
      } catch (error) {
        if (classifyRemoteError(error) !== "transport") throw error;
        this.forget(endpoint.name, pending);
        if (attempt >= 2) throw error;
      }
    }
  }

  /** Closes the sessions of services that are gone. */
  retain(names: Set<string>): void {
    for (const [name, session] of this.sessions) if (!names.has(name)) this.forget(name, session.client);
  }

  private forget(name: string, client: Promise<RemoteMcpClient>) {
    if (this.sessions.get(name)?.client !== client) return;
    this.sessions.delete(name);
    void client.then((c) => c.close(), () => {});
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.client.then((c) => c.close(), () => {})));
  }
}
