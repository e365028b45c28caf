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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
