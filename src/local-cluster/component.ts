/**
 * Control of one component of a running local plane: stop (SIGTERM, waits until gone), start again with the
 * command line it was first started with (same ports, certificates and etcd data; waits until healthy),
 * restart, pause (SIGSTOP) and continue (SIGCONT). The plane's state file records the new pid, so `down`
 * and the owner watchdog keep stopping exactly what runs.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { KubeClient } from "../kube/client.ts";
import { flagValue } from "./flags.ts";
import { httpOk, waitUntil } from "./probe.ts";
import { isAlive, processState, readState, stateFile, writePidFile, writeState, type ClusterState, type ComponentKind, type ProcessRecord } from "./state.ts";

export const COMPONENTS: readonly ComponentKind[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"];

export interface ComponentOptions {
  env?: NodeJS.ProcessEnv;
  /** Bound on each wait (gone, healthy, paused); default 60 s. */
  timeoutMs?: number;
}

/** Starts the recorded command line of `rec` detached, appending to its log; sets its pid. */
export function spawnRecorded(state: ClusterState, rec: ProcessRecord): void {
  if (!rec.bin || !rec.args) throw new Error(`local control plane "${state.name}": no command line recorded for ${rec.name} (started by an older plumb); run \`plumb local down --name ${state.name}\` and up again`);
  const fd = openSync(rec.log, "a", 0o600);
  try {
    const child = spawn(rec.bin, rec.args, { detached: true, stdio: ["ignore", fd, fd], cwd: state.dir });
    child.unref();
    if (!child.pid) throw new Error(`local control plane: cannot start ${rec.bin}`);
    rec.pid = child.pid;
  } finally {
    closeSync(fd);
  }
  delete rec.stopped;
}

function loadPlane(name: string, env: NodeJS.ProcessEnv): { state: ClusterState; file: string } {
  const file = stateFile(name, env);
  const state = readState(file);
  if (!state) throw new Error(`no local control plane "${name}" is running (no ${file})`);
  return { state, file };
}

function save(state: ClusterState, file: string): void {
  writeState(state, file);
  writePidFile(state);
}

/** The processes a component name means: "kubelet" is every hollow node, a node's own name (node-2) just that one. */
export function selectProcesses(state: ClusterState, component: string): ProcessRecord[] {
  const kindOf = (p: ProcessRecord): string => p.component ?? (p.name.startsWith("node-") ? "kubelet" : p.name);
  const found = state.processes.filter((p) => kindOf(p) === component || p.name === component);
  if (!found.length) {
    const nodes = state.processes.filter((p) => kindOf(p) === "kubelet").map((p) => p.name);
    throw new Error(`local control plane "${state.name}" has no component "${component}"; one of: ${[...COMPONENTS, ...nodes].join(", ")}`);
  }
  return found;
}

const running = (p: ProcessRecord): boolean => !p.stopped && isAlive(p.pid);

async function untilAll(procs: readonly ProcessRecord[], cond: (p: ProcessRecord) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!procs.every(cond)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** SIGTERM (and SIGCONT, so a paused process can act on it), SIGKILL after timeoutMs; resolves once they are gone. */
export async function terminate(procs: readonly ProcessRecord[], timeoutMs: number): Promise<void> {
  const live = procs.filter(running);
  for (const p of live) signal(p, "SIGTERM");
  for (const p of live) signal(p, "SIGCONT");
  if (await untilAll(live, (p) => !isAlive(p.pid), timeoutMs)) return;
  for (const p of live) signal(p, "SIGKILL");
  if (!(await untilAll(live, (p) => !isAlive(p.pid), 10_000))) {
    throw new Error(`local control plane: ${live.filter((p) => isAlive(p.pid)).map((p) => `${p.name} (pid ${p.pid})`).join(", ")} did not exit after SIGKILL`);
  }
}

function signal(p: ProcessRecord, sig: NodeJS.Signals): void {
  try {
    process.kill(p.pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}

export async function stopComponent(name: string, component: string, opts: ComponentOptions = {}): Promise<ProcessRecord[]> {
  const { state, file } = loadPlane(name, opts.env ?? process.env);
  const procs = selectProcesses(state, component);
  await terminate(procs, opts.timeoutMs ?? 30_000);
  for (const p of procs) p.stopped = true;
  save(state, file);
  return procs;
}

export async function startComponent(name: string, component: string, opts: ComponentOptions = {}): Promise<ProcessRecord[]> {
  const { state, file } = loadPlane(name, opts.env ?? process.env);
  const procs = selectProcesses(state, component);
  const since = Date.now();
  const started = procs.filter((p) => !running(p));
  for (const p of started) spawnRecorded(state, p);
  save(state, file);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  for (const p of procs) await waitComponentHealthy(state, p, since, timeoutMs);
  return started;
}

export async function restartComponent(name: string, component: string, opts: ComponentOptions = {}): Promise<ProcessRecord[]> {
  await stopComponent(name, component, opts);
  return startComponent(name, component, opts);
}

export async function pauseComponent(name: string, component: string, opts: ComponentOptions = {}): Promise<ProcessRecord[]> {
  return sendAndWait(name, component, "SIGSTOP", (p) => processState(p.pid) === "T", opts);
}

export async function continueComponent(name: string, component: string, opts: ComponentOptions = {}): Promise<ProcessRecord[]> {
  return sendAndWait(name, component, "SIGCONT", (p) => processState(p.pid) !== "T", opts);
}

async function sendAndWait(name: string, component: string, sig: NodeJS.Signals, done: (p: ProcessRecord) => boolean, opts: ComponentOptions): Promise<ProcessRecord[]> {
  const { state } = loadPlane(name, opts.env ?? process.env);
  const procs = selectProcesses(state, component);
  const stopped = procs.filter((p) => !running(p));
  if (stopped.length) throw new Error(`local control plane "${name}": ${stopped.map((p) => p.name).join(", ")} not running; start it first`);
  for (const p of procs) signal(p, sig);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (!(await untilAll(procs, done, timeoutMs))) throw new Error(`local control plane "${name}": ${component} did not take ${sig} within ${timeoutMs}ms`);
  return procs;
}

function adminToken(state: ClusterState): string {
  const first = readFileSync(`${state.dir}/tokens.csv`, "utf8").split("\n")[0] ?? "";
  return first.split(",")[0] ?? "";
}

/** Waits until one (re)started process serves: its health endpoint answers 200; a hollow node has renewed its Lease since `since`. */
export async function waitComponentHealthy(state: ClusterState, p: ProcessRecord, since: number, timeoutMs: number): Promise<void> {
  const args = p.args ?? [];
  switch (p.component) {
    case "etcd":
      return waitUntil(p.name, httpOk(`${flagValue(args, "advertise-client-urls")}/health`), [p], timeoutMs);
    case "kube-apiserver":
      return waitUntil(p.name, httpOk(`${state.server}/readyz`, adminToken(state)), [p], timeoutMs);
    case "kube-controller-manager":
    case "kube-scheduler": {
      const port = flagValue(args, "secure-port");
      if (!port || port === "0") return waitUntil(p.name, async () => isAlive(p.pid), [p], timeoutMs);
      return waitUntil(p.name, httpOk(`https://127.0.0.1:${port}/healthz`), [p], timeoutMs);
    }
    case "kubelet": {
      const kube = KubeClient.fromKubeconfig(state.kubeconfig);
      try {
        return await waitUntil(`${p.name} (its Lease renewed)`, async () => {
          const lease = await kube.get("coordination.k8s.io/v1", "Lease", "kube-node-lease", p.name);
          const renew = (lease?.["spec"] as { renewTime?: string } | undefined)?.renewTime;
          return !!renew && Date.parse(renew) >= since ? true : `last renewed ${renew ?? "never"}`;
        }, [p], timeoutMs);
      } finally {
        kube.close();
      }
    }
    default:
      return waitUntil(p.name, async () => isAlive(p.pid), [p], timeoutMs);
  }
}
