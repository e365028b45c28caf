/**
 * The real CLI as users run it: `bin/plumb.js` in a child process of its own (Node 24, the test's own binary),
 * pointed at a control plane through KUBECONFIG. Output is captured; every run is bounded by a timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const PLUMB_BIN = join(import.meta.dirname, "../../../bin/plumb.js");

export interface PlumbRun {
  /** Exit code, or null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  durationMs: number;
}

export interface PlumbProcessOptions {
  kubeconfig: string;
  /** Added to (or, with undefined values, removed from) the test process's environment. */
  env?: Record<string, string | undefined>;
  /** SIGKILL after this long (default 120 s); the run then reports signal SIGKILL. */
  timeoutMs?: number;
  /** Called with every chunk of stdout / stderr as it arrives (for waiting on a line). */
  onOutput?: (stream: "out" | "err", text: string) => void;
}

export interface PlumbProcess {
  child: ChildProcess;
  pid: number;
  done: Promise<PlumbRun>;
  /** Output so far. */
  output(): { out: string; err: string };
}

export function startPlumb(args: readonly string[], o: PlumbProcessOptions): PlumbProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: o.kubeconfig };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const t0 = Date.now();
  const child = spawn(process.execPath, [PLUMB_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  if (!child.pid) throw new Error("cannot start bin/plumb.js");
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => {
    out += s;
    o.onOutput?.("out", s);
  });
  child.stderr?.setEncoding("utf8").on("data", (s: string) => {
    err += s;
    o.onOutput?.("err", s);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 120_000);
  const done = new Promise<PlumbRun>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, durationMs: Date.now() - t0 });
    });
  });
  return { child, pid: child.pid, done, output: () => ({ out, err }) };
}

export function runPlumb(args: readonly string[], o: PlumbProcessOptions): Promise<PlumbRun> {
  return startPlumb(args, o).done;
}

/** A run's output for assertion messages: both streams, trimmed to what a reader needs. */
export function shown(r: PlumbRun): string {
  const cut = (s: string): string => (s.length > 4000 ? `${s.slice(0, 1500)}\n...\n${s.slice(-2500)}` : s);
  return `exit ${r.code ?? r.signal}\n--- stdout\n${cut(r.out)}--- stderr\n${cut(r.err)}`;
}
