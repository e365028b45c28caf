/** The record of a running local control plane: its directory, kubeconfig and the pids it started. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "./binaries.ts";

export interface ProcessRecord {
  name: string;
  pid: number;
  log: string;
}

export interface ClusterState {
  name: string;
  dir: string;
  kubeconfig: string;
  server: string;
  processes: ProcessRecord[];
  startedAt: string;
  version: string;
}

export function stateFile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), "local", `${name}.json`);
}

export function writeState(state: ClusterState, file: string): void {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

export function readState(file: string): ClusterState | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}

/** True while the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no procfs: trust kill(0)
  }
}
