/**
 * Where decrypted secretGenerator inputs live while kustomize reads them: never on persistent disk. A private
 * directory (0700, files 0600) on tmpfs: /dev/shm when it is tmpfs, else $XDG_RUNTIME_DIR when that is tmpfs or
 * ramfs; with neither, decryption of generator inputs is refused (it is not written anywhere else). The
 * directory is named `plumbline-sops-<pid>-<random>`; each render gets a subdirectory of its own, removed when
 * the render ends, and the whole directory is removed when the process exits (normally, on an error, or through
 * the CLI's SIGTERM/SIGINT handling). What a killed process (SIGKILL) left is removed at the next start: see
 * sweepPlaintextLeftovers.
 */
import { readdirSync, rmSync, statfsSync, statSync } from "node:fs";
import { mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { join, relative, isAbsolute } from "node:path";
import { DecryptionError } from "../../core/errors.ts";

export const PLAINTEXT_DIR_PREFIX = "plumbline-sops-";

const TMPFS_MAGIC = 0x01021994;
const RAMFS_MAGIC = 0x858458f6;

export interface BaseCandidate {
  path: string;
  /** statfs type of the path, undefined when it does not exist or cannot be read. */
  fsType: number | undefined;
}

/** The candidates in order of preference: /dev/shm, then $XDG_RUNTIME_DIR. */
export function baseCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return ["/dev/shm", ...(env["XDG_RUNTIME_DIR"] ? [env["XDG_RUNTIME_DIR"]] : [])];
}

/** The first candidate on a memory file system (tmpfs, ramfs), or undefined. Pure. */
export function chooseBase(candidates: readonly BaseCandidate[]): string | undefined {
  return candidates.find((c) => c.fsType === TMPFS_MAGIC || c.fsType === RAMFS_MAGIC)?.path;
}

function fsTypeOf(path: string): number | undefined {
  try {
    if (!statSync(path).isDirectory()) return undefined;
    return Number(statfsSync(path).type);
  } catch {
    return undefined; // absent or unreadable: not a candidate
  }
}

export function findPlaintextBase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return chooseBase(baseCandidates(env).map((path) => ({ path, fsType: fsTypeOf(path) })));
}

/** The pid a leftover directory's name carries, or undefined when the name is not ours. Pure. */
export function pidOfEntry(name: string): number | undefined {
  const m = new RegExp(`^${PLAINTEXT_DIR_PREFIX}(\\d+)-[A-Za-z0-9]+$`).exec(name);
  return m ? Number(m[1]) : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, another user's
  }
}

/**
 * Removes the plaintext directories that processes no longer running left in the tmpfs bases (a SIGKILL, a
 * crash). Only directories this user owns; a live pid's are left alone. Returns the directories removed.
 */
export function sweepPlaintextLeftovers(env: NodeJS.ProcessEnv = process.env): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  for (const base of baseCandidates(env)) {
    let names: string[];
    try {
      names = readdirSync(base);
    } catch {
      continue; // no such base
    }
    for (const name of names) {
      const pid = pidOfEntry(name);
      if (pid === undefined || pid === process.pid || alive(pid)) continue;
      const dir = join(base, name);
      const st = statSync(dir, { throwIfNoEntry: false });
      if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}

let processDir: Promise<string> | undefined;
let processDirPath: string | undefined;

/** This process's private directory on tmpfs, made on first use and removed when the process exits. */
function ownDir(subject: string): Promise<string> {
  if (!processDir) {
    const base = findPlaintextBase();
    if (!base) {
      return Promise.reject(new DecryptionError(`${subject}: cannot decrypt a secretGenerator input: decrypted files are kept off persistent disk, on tmpfs, and neither /dev/shm nor $XDG_RUNTIME_DIR is a tmpfs (mount one there, or set XDG_RUNTIME_DIR to a tmpfs directory)`, subject));
    }
    sweepPlaintextLeftovers();
    processDir = mkdtemp(join(base, `${PLAINTEXT_DIR_PREFIX}${process.pid}-`)).then((dir) => {
      processDirPath = dir;
      process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
      return dir;
    });
    processDir.catch(() => {
      processDir = undefined; // a later render tries again
    });
  }
  return processDir;
}

/** The directory of this process's plaintext, when one was made (tests, diagnostics). */
export function plaintextDirOfProcess(): string | undefined {
  return processDirPath;
}

/** One render's decrypted inputs: written on tmpfs, the file in the private tree replaced by a symlink to it. */
export class PlaintextScratch {
  private dir: string | undefined;
  private count = 0;

  /** Writes `plain` on tmpfs and makes `path` (a file of the render's private copy) a symlink to it. */
  async place(path: string, plain: string, subject: string): Promise<void> {
    if (!this.dir) {
      const own = await ownDir(subject);
      this.dir = await mkdtemp(join(own, "render-"));
    }
    const target = join(this.dir, String(this.count++));
    await writeFile(target, plain, { mode: 0o600, flag: "wx" });
    await unlink(path);
    await symlink(target, path);
  }

  /** True for a path inside this scratch (an input already decrypted through another reference). */
  holds(path: string): boolean {
    if (!this.dir) return false;
    const rel = relative(this.dir, path);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  }

  /** Removes this render's plaintext. */
  async remove(): Promise<void> {
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

