/** Health probes of a local plane's processes (before and beside the API server, so no KubeClient here). */
import { readFileSync } from "node:fs";
import { isAlive, type ProcessRecord } from "./state.ts";

/** The HTTP status of a GET on a loopback endpoint (self-signed certificates accepted), or throws on a network error. */
export async function httpStatus(url: string, token?: string, timeoutMs = 2000): Promise<number> {
  const mod = url.startsWith("https:") ? await import("node:https") : await import("node:http");
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const req = mod.request(url, { rejectUnauthorized: false, headers, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Polls `probe` (true when healthy) with a short, bounded backoff until it holds or timeoutMs passes.
 * Fails at once, with the end of its log, when one of `procs` exits meanwhile.
 */
export async function waitUntil(what: string, probe: () => Promise<boolean | string>, procs: readonly ProcessRecord[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    for (const p of procs) {
      if (!p.stopped && !isAlive(p.pid)) throw new Error(`local control plane: ${p.name} exited during start; see ${p.log}:\n${tail(p.log)}`);
    }
    try {
      const r = await probe();
      if (r === true) return;
      last = typeof r === "string" ? r : "not yet";
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - Date.now()))));
  }
  throw new Error(`local control plane: ${what} not healthy within ${timeoutMs}ms (${last})`);
}

/** Probe of an HTTP health endpoint: true on 200, else the status as the reason. */
export function httpOk(url: string, token?: string): () => Promise<boolean | string> {
  return async () => {
    const status = await httpStatus(url, token);
    return status === 200 ? true : `${url}: HTTP ${status}`;
  };
}
