/** Running the git binary: no shell, isolated from user/system config, killed (with its helpers) on abort. */
import { spawn } from "node:child_process";

export interface GitRunOptions {
  cwd?: string;
  /** Extra environment; merged over the isolated base environment. */
  env?: Record<string, string>;
  /** Config entries passed through GIT_CONFIG_COUNT (like `-c`, but not visible in the process list). */
  secretConfig?: readonly (readonly [string, string])[];
  signal?: AbortSignal;
  /** Bytes of stdout to keep at most (stderr is capped separately). */
  maxStdout?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

export class GitCommandError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly aborted: boolean;
  constructor(message: string, exitCode: number | null, stderr: string, aborted: boolean) {
    super(message);
    this.name = "GitCommandError";
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.aborted = aborted;
  }
}

/** Non-secret config every invocation gets, as `-c` options. */
const BASE_CONFIG = ["-c", "credential.helper=", "-c", "core.askPass=", "-c", "core.hooksPath=/dev/null", "-c", "protocol.version=2", "-c", "core.autocrlf=false", "-c", "core.symlinks=true"];

/** The inherited environment minus anything that would redirect git or feed it credentials. */
export function gitBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith("GIT_") || k === "SSH_ASKPASS" || k === "SSH_AUTH_SOCK" || k.startsWith("LC_") || k === "LANG" || k === "LANGUAGE") continue;
    env[k] = v;
  }
  env.GIT_TERMINAL_PROMPT = "0";
  env.GIT_CONFIG_NOSYSTEM = "1";
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.LC_ALL = "C";
  return env;
}

export function runGit(args: readonly string[], opts: GitRunOptions = {}): Promise<GitResult> {
  const env = { ...gitBaseEnv(), ...opts.env };
  const secret = opts.secretConfig ?? [];
  if (secret.length > 0) {
    env.GIT_CONFIG_COUNT = String(secret.length);
    secret.forEach(([k, v], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = k;
      env[`GIT_CONFIG_VALUE_${i}`] = v;
    });
  }
  const maxStdout = opts.maxStdout ?? 64 * 1024 * 1024;
  const maxStderr = 256 * 1024;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new GitCommandError(`git ${args[0] ?? ""}: aborted before start`, null, "", true));
      return;
    }
    const child = spawn("git", [...BASE_CONFIG, ...args], {
      cwd: opts.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      // Own process group, so an abort also ends git's helpers (remote-http, ssh).
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout.on("data", (b: Buffer) => {
      if (outLen < maxStdout) out.push(b);
      outLen += b.length;
    });
    child.stderr.on("data", (b: Buffer) => {
      if (errLen < maxStderr) err.push(b);
      errLen += b.length;
    });
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          child.kill("SIGKILL");
        }
      }
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      opts.signal?.removeEventListener("abort", onAbort);
      reject(new GitCommandError(`git ${args[0] ?? ""}: ${e.message}`, null, "", false));
    });
    child.on("close", (code) => {
      opts.signal?.removeEventListener("abort", onAbort);
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0 && !aborted && outLen > maxStdout) {
        reject(new GitCommandError(`git ${args[0] ?? ""}: output larger than ${maxStdout} bytes`, code, stderr, false));
        return;
      }
      if (code === 0 && !aborted) {
        resolve({ stdout, stderr });
        return;
      }
      reject(new GitCommandError(`git ${args[0] ?? ""} exited with ${aborted ? "abort" : String(code)}`, code, stderr, aborted));
    });
  });
}
