/** Starts and stops a real Kubernetes control plane on loopback: etcd, apiserver, controller-manager, scheduler, hollow nodes. */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "../kube/client.ts";
import { hasCondition, waitForObject } from "../kube/wait.ts";
import { DEFAULT_KUBE_LINE, findBinaries, KUBE_RELEASES, type Binaries } from "./binaries.ts";
import { spawnRecorded, terminate, waitComponentHealthy } from "./component.ts";
import { apiserverArgs, componentsKubeconfig, controllerManagerArgs, etcdArgs, hollowNodeArgs, schedulerArgs, type KubeLine, type PlaneLayout } from "./flags.ts";
import { freePort } from "./free-port.ts";
import { removeHollowRootDirs } from "./leftovers.ts";
import { startReaper } from "./reaper.ts";
import { isAlive, readState, removeState, stateFile, writePidFile, writeState, type ClusterState, type ComponentKind, type ProcessRecord } from "./state.ts";

export interface UpOptions {
  name?: string;
  nodes?: number;
  /** Which Kubernetes line (default: DEFAULT_KUBE_LINE). */
  kubernetes?: KubeLine;
  /** Tear everything down when this process exits (tests). Without it the plane outlives the caller (`plumb local up`). */
  ownerPid?: number;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface LocalCluster {
  state: ClusterState;
  stateFile: string;
}

function kubeconfigYaml(server: string, token: string, ca: string | undefined): string {
  const cluster = ca ? `    certificate-authority-data: ${Buffer.from(ca).toString("base64")}` : "    insecure-skip-tls-verify: true";
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: plumbline-local",
    "  cluster:",
    `    server: ${server}`,
    cluster,
    "users:",
    "- name: admin",
    "  user:",
    `    token: ${token}`,
    "contexts:",
    "- name: plumbline-local",
    "  context: {cluster: plumbline-local, user: admin}",
    "current-context: plumbline-local",
    "",
  ].join("\n");
}

export async function upLocalCluster(opts: UpOptions = {}): Promise<LocalCluster> {
  const env = opts.env ?? process.env;
  const name = opts.name ?? "default";
  const log = opts.log ?? (() => {});
  const file = stateFile(name, env);
  const existing = readState(file);
  if (existing && existing.processes.some((p) => isAlive(p.pid))) {
    throw new Error(`local control plane "${name}" is already running (KUBECONFIG=${existing.kubeconfig}); run \`plumb local down\` first`);
  }
  if (existing) removeState(file);
  const line = opts.kubernetes ?? DEFAULT_KUBE_LINE;
  const bins: Binaries = findBinaries(line, env);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), `plumbline-${name}-`));
  const procs: ProcessRecord[] = [];
  const state: ClusterState = { name, dir, kubeconfig: join(dir, "kubeconfig"), server: "", processes: procs, startedAt: new Date().toISOString(), version: KUBE_RELEASES[line].version };
  const start = (pname: string, component: ComponentKind, bin: string, args: string[]): ProcessRecord => {
    const rec: ProcessRecord = { name: pname, component, pid: 0, log: join(dir, `${pname}.log`), bin, args };
    spawnRecorded(state, rec);
    procs.push(rec);
    writePidFile(state);
    writeState(state, file);
    return rec;
  };
  if (opts.ownerPid) startReaper(opts.ownerPid, dir, file);
  try {
    const t0 = Date.now();
    const layout: PlaneLayout = {
      dir, etcdPort: await freePort(), peerPort: await freePort(), apiPort: await freePort(),
      controllerManagerPort: await freePort(), schedulerPort: await freePort(),
    };
    const etcd = start("etcd", "etcd", bins.etcd, etcdArgs(layout));
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
    writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    mkdirSync(join(dir, "certs"), { mode: 0o700 });
    const server = `https://127.0.0.1:${layout.apiPort}`;
    state.server = server;
    const api = start("kube-apiserver", "kube-apiserver", bins["kube-apiserver"], apiserverArgs(line, layout));
    log(`[local] etcd and kube-apiserver ${state.version} starting on ${server}`);
    await waitComponentHealthy(state, api, t0, timeoutMs).catch(async (err: Error) => {
      // name the real cause when etcd is what failed
      if (!isAlive(etcd.pid)) await waitComponentHealthy(state, etcd, t0, 1);
      throw err;
    });
    const caFile = join(dir, "certs", "apiserver.crt");
    const ca = existsSync(caFile) ? readFileSync(caFile, "utf8") : undefined;
    writeFileSync(state.kubeconfig, kubeconfigYaml(server, token, ca), { mode: 0o600 });
    // Components talk to the API server with the same admin identity (a private loopback cluster).
    writeFileSync(componentsKubeconfig(dir), kubeconfigYaml(server, token, undefined), { mode: 0o600 });
    const kcm = start("kube-controller-manager", "kube-controller-manager", bins["kube-controller-manager"], controllerManagerArgs(line, layout, ca ? caFile : undefined));
    const sched = start("kube-scheduler", "kube-scheduler", bins["kube-scheduler"], schedulerArgs(line, layout));
    const nodes = opts.nodes ?? 1;
    for (let i = 1; i <= nodes; i++) {
      start(`node-${i}`, "kubelet", bins.kubemark, hollowNodeArgs(line, layout, { name: `node-${i}`, kubeletPort: await freePort() }));
    }
    await waitComponentHealthy(state, kcm, t0, timeoutMs);
    await waitComponentHealthy(state, sched, t0, timeoutMs);
    const kube = KubeClient.fromKubeconfig(state.kubeconfig);
    try {
      for (let i = 1; i <= nodes; i++) {
        await waitForObject(kube, "v1", "Node", undefined, `node-${i}`, (n) => hasCondition(n, "Ready"), { timeoutMs });
      }
      await waitForObject(kube, "v1", "ServiceAccount", "default", "default", (sa) => !!sa, { timeoutMs });
    } finally {
      kube.close();
    }
    log(`[local] control plane ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (${nodes} hollow node${nodes > 1 ? "s" : ""})`);
    writeState(state, file);
    return { state, stateFile: file };
  } catch (err) {
    await stopProcesses(procs);
    removeHollowRootDirs(state);
    rmSync(dir, { recursive: true, force: true });
    removeState(file);
    throw err;
  }
}

/** Stops them all (SIGTERM, SIGKILL after 10 s) and returns once they are gone: their data directory is removed next. */
async function stopProcesses(procs: readonly ProcessRecord[]): Promise<void> {
  await terminate([...procs].reverse(), 10_000);
}

/** Stops exactly the processes the plane started (by pid) and removes its data. */
export async function downLocalCluster(name = "default", env: NodeJS.ProcessEnv = process.env): Promise<ClusterState | undefined> {
  const file = stateFile(name, env);
  const state = readState(file);
  if (!state) return undefined;
  await stopProcesses(state.processes);
  removeHollowRootDirs(state);
  rmSync(state.dir, { recursive: true, force: true });
  removeState(file);
  return state;
}

export function localClusterStatus(name = "default", env: NodeJS.ProcessEnv = process.env): { state: ClusterState; running: ProcessRecord[]; stopped: ProcessRecord[] } | undefined {
  const state = readState(stateFile(name, env));
  if (!state) return undefined;
  return {
    state,
    running: state.processes.filter((p) => !p.stopped && isAlive(p.pid)),
    stopped: state.processes.filter((p) => p.stopped || !isAlive(p.pid)),
  };
}
