/**
 * An HTTP proxy on 127.0.0.1 in front of a test Git server that, on every request it forwards, reads the command
 * line of every process on the machine (/proc/PID/cmdline). A request is only ever sent by a running git, so each
 * scan sees git's processes while they run: a secret in any argv is caught there, not guessed at afterwards.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export interface CmdlineWatch {
  /** Base URL of the proxy (same paths as the target). */
  url: string;
  /** Requests forwarded so far. */
  requests: number;
  /** Command lines (NULs shown as spaces) that held one of the watched strings, with the string found. */
  leaks: { pid: string; cmdline: string; found: string }[];
  /** Command lines of git processes seen during the scans (proof that a scan ran while git was running). */
  gitSeen: string[];
  stop(): Promise<void>;
}

/** Every readable /proc/PID/cmdline; processes that end mid-scan or are unreadable are skipped. */
function commandLines(): { pid: string; cmdline: string }[] {
  const out: { pid: string; cmdline: string }[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      out.push({ pid, cmdline: readFileSync(`/proc/${pid}/cmdline`).toString("utf8").split("\0").join(" ").trim() });
    } catch {
      // the process ended between readdir and read: nothing to scan
    }
  }
  return out;
}

export async function startCmdlineWatchProxy(target: string, watched: readonly string[]): Promise<CmdlineWatch> {
  const to = new URL(target);
  const state: CmdlineWatch = { url: "", requests: 0, leaks: [], gitSeen: [], stop: async () => {} };
  const server = createServer((req, res) => {
    state.requests++;
    for (const p of commandLines()) {
      if (p.pid === String(process.pid)) continue; // this test process holds the secrets in memory, not in its argv
      if (/(^|\/)git(-remote-https?)?( |$)|remote-https?/.test(p.cmdline)) state.gitSeen.push(p.cmdline);
      for (const s of watched) if (s !== "" && p.cmdline.includes(s)) state.leaks.push({ ...p, found: s });
    }
    const fwd = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
