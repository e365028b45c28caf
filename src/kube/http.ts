/** The HTTP transport to the API server: keep-alive connections, JSON bodies, write counting, streaming watches. */
import https from "node:https";
import http from "node:http";
import type { ClusterConnection } from "./kubeconfig.ts";

export interface KubeResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  /** Accept header (default application/json). */
  accept?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly details: unknown;
  constructor(method: string, path: string, status: number, body: unknown, text: string) {
    const st = (body && typeof body === "object" ? body : {}) as { message?: string; reason?: string; details?: unknown };
    const message = st.message ?? (text.slice(0, 300) || `HTTP ${status}`);
    super(`${method} ${path}: ${status} ${st.reason ?? ""}: ${message}`.replace(/ {2}/g, " "));
    this.status = status;
    this.reason = st.reason ?? "";
    this.details = st.details;
  }
  get apiMessage(): string {
    return this.message.replace(/^\S+ \S+: \d+ \S*: ?/, "");
  }
}

export class KubeUnreachableError extends Error {}

export class KubeHttp {
  readonly conn: ClusterConnection;
  private readonly agent: https.Agent | http.Agent;
  private readonly isHttps: boolean;
  /** Requests that persist something (not GET, not dry-run). */
  writes = 0;
  requests = 0;

  constructor(conn: ClusterConnection, maxSockets = 32) {
    this.conn = conn;
    this.isHttps = conn.server.startsWith("https:");
    const common = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    this.agent = this.isHttps
      ? new https.Agent({
          ...common,
          ...(conn.ca ? { ca: conn.ca } : {}),
          ...(conn.cert ? { cert: conn.cert } : {}),
          ...(conn.key ? { key: conn.key } : {}),
          rejectUnauthorized: !conn.insecureSkipTlsVerify,
        })
      : new http.Agent(common);
  }

  close(): void {
    this.agent.destroy();
  }

  private headers(contentType?: string, bodyLength?: number, accept = "application/json"): Record<string, string> {
    const h: Record<string, string> = { Accept: accept };
    if (this.conn.token) h["Authorization"] = `Bearer ${this.conn.token}`;
    else if (this.conn.username !== undefined) h["Authorization"] = `Basic ${Buffer.from(`${this.conn.username}:${this.conn.password ?? ""}`).toString("base64")}`;
    if (contentType) h["Content-Type"] = contentType;
    if (bodyLength !== undefined) h["Content-Length"] = String(bodyLength);
    return h;
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<KubeResponse> {
    // A kept-alive socket the server has just closed fails with ECONNRESET/EPIPE before the request is
    // processed; retry those (except POST, which is not idempotent) a bounded number of times.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce(method, path, opts);
      } catch (err) {
        const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        if (!(err instanceof KubeUnreachableError) || method === "POST" || attempt >= 2 || (code !== "ECONNRESET" && code !== "EPIPE")) throw err;
      }
    }
  }

  private async requestOnce(method: string, path: string, opts: RequestOptions): Promise<KubeResponse> {
    const payload = opts.body === undefined ? undefined : Buffer.from(typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body));
    this.requests++;
    if (method !== "GET" && !path.includes("dryRun=All")) {
      this.writes++;
      if (process.env["PLUMBLINE_DEBUG_WRITES"]) process.stderr.write(`[write] ${method} ${path}\n`);
    }
    const url = new URL(this.conn.server + path);
    const mod = this.isHttps ? https : http;
    const res = await new Promise<KubeResponse>((resolve, reject) => {
      const req = mod.request(
        url,
        { method, agent: this.agent, headers: this.headers(opts.contentType ?? (payload ? "application/json" : undefined), payload?.length, opts.accept), signal: opts.signal, timeout: opts.timeoutMs ?? 60_000 },
        (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = undefined;
            if (text && (r.headers["content-type"] ?? "").includes("json")) {
              try { body = JSON.parse(text); } catch { body = undefined; }
            }
            resolve({ status: r.statusCode ?? 0, body, text });
          });
          r.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${opts.timeoutMs ?? 60_000}ms`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        if (err.name === "AbortError") reject(err);
        else reject(new KubeUnreachableError(`API server ${this.conn.server}: ${method} ${path}: ${err.code ?? ""} ${err.message}`.replace(/ {2}/g, " "), { cause: err }));
      });
      if (payload) req.write(payload);
      req.end();
    });
    if (res.status >= 400) throw new KubeApiError(method, path, res.status, res.body, res.text);
    return res;
  }

  /** Streams newline-delimited JSON watch events until the signal aborts or the server closes. */
  async stream(path: string, onLine: (obj: unknown) => void, signal: AbortSignal): Promise<void> {
    const url = new URL(this.conn.server + path);
    const mod = this.isHttps ? https : http;
    this.requests++;
    await new Promise<void>((resolve, reject) => {
      const req = mod.request(url, { method: "GET", agent: this.agent, headers: this.headers(), signal }, (r) => {
        if ((r.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown; try { body = JSON.parse(text); } catch { body = undefined; }
            reject(new KubeApiError("WATCH", path, r.statusCode ?? 0, body, text));
          });
          return;
        }
        let buf = "";
        r.setEncoding("utf8");
        r.on("data", (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) { try { onLine(JSON.parse(line)); } catch { /* partial or non-JSON line: ignore */ } }
          }
        });
        r.on("end", () => resolve());
        r.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
      });
      req.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
      req.end();
    });
  }
}
