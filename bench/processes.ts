/** Child processes of the benchmark: timed one-shot runs, and long-running ones read line by line. */
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Runs a command to completion; wall time is from spawn to exit. Never rejects on a non-zero exit. */
export function runProcess(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), wallMs: performance.now() - t0 });
    });
  });
}

/** Throws with the command's stderr when it failed. */
export async function runChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runProcess(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.code}\n${(r.stderr || r.stdout).trim().split("\n").slice(-15).join("\n")}`);
  return r;
}

/** A long-running process whose stdout is JSON lines; waits for lines matching a predicate. */
export class LineProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  private stderrTail = "";
  private waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  private readonly closed: Promise<number | null>;

  constructor(cmd: string, args: readonly string[], opts: RunOptions = {}) {
    this.child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let buf = "";
    this.child.stdout?.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const text = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!text.startsWith("{")) continue;
        let line: Record<string, unknown>;
        try { line = JSON.parse(text) as Record<string, unknown>; } catch { continue; }
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
      }
    });
    this.child.stderr?.on("data", (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString("utf8")).slice(-4000);
    });
    this.closed = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** The first line (already seen or future) matching pred; rejects after timeoutMs or when the process exits first. */
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
    const seen = this.lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching output within ${timeoutMs} ms; stderr:\n${this.stderrTail}`)), timeoutMs);
      const w = { pred, resolve: (l: Record<string, unknown>) => { clearTimeout(timer); resolve(l); } };
      this.waiters.push(w);
      void this.closed.then((code) => {
        clearTimeout(timer);
        reject(new Error(`process exited (${code}) before the expected output; stderr:\n${this.stderrTail}`));
      });
    });
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves with the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    try {
      return await this.closed;
    } finally {
      clearTimeout(timer);
    }
  }
}
