/** The record of a running local control plane: its directory, kubeconfig and the pids it started. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "./binaries.ts";

export type ComponentKind = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kubelet";

export interface ProcessRecord {
  /** The process's own name: the component, or the node name for a hollow kubelet. */
  name: string;
  pid: number;
  log: string;
  /** What it is (absent in states written before components could be restarted). */
  component?: ComponentKind;
  /** The command line it was started with, so it can be started again the same way. */
  bin?: string;
  args?: string[];
  /** Set while stopped through `plumb local stop`: pid is then stale and must not be signalled. */
  stopped?: boolean;
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

/** The pids the owner watchdog (reaper.ts) kills when the plane's owner dies: the running ones only. */
export function pidFile(state: ClusterState): string {
  return join(state.dir, "pids");
}

export function writePidFile(state: ClusterState): void {
  writeFileSync(pidFile(state), state.processes.filter((p) => !p.stopped).map((p) => p.pid).join("\n") + "\n");
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}

/** The state letter of /proc/PID/stat (R, S, D, T for stopped, Z...), undefined when there is no such process. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
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
