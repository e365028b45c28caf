/**
 * A Git smart-HTTP server for tests: node:http on 127.0.0.1 running the real `git http-backend` as CGI
 * over a directory of bare repositories, behind Basic (and optionally Bearer) authentication.
 */
import { execFileSync, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GitHttpServerOptions {
  /** Directory holding bare repositories, served as /<name>. */
  root: string;
  /** Basic credentials required on every request. Omit both (and bearerToken) for an open server. */
  username?: string;
  password?: string;
  /** When set, `Authorization: Bearer <token>` is accepted too. */
  bearerToken?: string;
}

export interface GitHttpServer {
  /** Base URL, e.g. http://127.0.0.1:34567 — append "/<repo>.git". */
  url: string;
  /** Requests answered so far, by status code (for assertions). */
  requests: { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

let httpBackend: string | undefined;
/** `<git --exec-path>/git-http-backend` (usually /usr/lib/git-core/git-http-backend). */
function httpBackendPath(): string {
  httpBackend ??= `${execFileSync("git", ["--exec-path"], { encoding: "utf8" }).trim()}/git-http-backend`;
  return httpBackend;
}

export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const backend = httpBackendPath();
  const requests: GitHttpServer["requests"] = [];
  const needsAuth = opts.username !== undefined || opts.password !== undefined || opts.bearerToken !== undefined;
  const basic = `Basic ${Buffer.from(`${opts.username ?? ""}:${opts.password ?? ""}`).toString("base64")}`;

  const authorized = (req: IncomingMessage): string | null => {
    if (!needsAuth) return "anonymous";
    const h = req.headers.authorization ?? "";
    if ((opts.username !== undefined || opts.password !== undefined) && h === basic) return opts.username ?? "user";
    if (opts.bearerToken !== undefined && h === `Bearer ${opts.bearerToken}`) return "bearer";
    return null;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const record = (status: number): void => {
      requests.push({ method: req.method ?? "", path: u.pathname, status });
    };
    const user = authorized(req);
    if (user === null) {
      record(401);
      req.resume();
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"', "Content-Type": "text/plain" });
      res.end("authentication required\n");
      return;
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: opts.root,
      GIT_HTTP_EXPORT_ALL: "1",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GATEWAY_INTERFACE: "CGI/1.1",
      SERVER_PROTOCOL: "HTTP/1.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(u.pathname),
      QUERY_STRING: u.search.slice(1),
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      REMOTE_USER: user,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
    };
    if (req.headers["content-length"]) env.CONTENT_LENGTH = req.headers["content-length"];
    if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = req.headers["content-encoding"];
    const proto = req.headers["git-protocol"];
    if (typeof proto === "string") env.GIT_PROTOCOL = proto;

    const cgi = spawn(backend, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    req.pipe(cgi.stdin);
    cgi.stdin.on("error", () => undefined);
    cgi.stderr.resume();

    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on("data", (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sep = head.indexOf("\r\n\r\n");
      let sepLen = 4;
      if (sep < 0) {
        sep = head.indexOf("\n\n");
        sepLen = 2;
      }
      if (sep < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, sep).toString("latin1").split(/\r?\n/)) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === "status") status = Number.parseInt(v, 10) || 200;
        else headers[k] = v;
      }
      record(status);
      res.writeHead(status, headers);
      res.write(head.subarray(sep + sepLen));
    });
    cgi.on("close", (code) => {
      if (!headersDone) {
        record(500);
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`git http-backend exited with ${String(code)}\n`);
        return;
      }
      res.end();
    });
    cgi.on("error", () => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
