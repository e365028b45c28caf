/** Starts and stops a real Kubernetes control plane on loopback: etcd, apiserver, controller-manager, scheduler, hollow nodes. */
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "../kube/client.ts";
import { hasCondition, waitForObject } from "../kube/wait.ts";
import { findBinaries, KUBE_VERSION, type Binaries } from "./binaries.ts";
import { freePort } from "./free-port.ts";
import { startReaper } from "./reaper.ts";
import { isAlive, readState, removeState, stateFile, writeState, type ClusterState, type ProcessRecord } from "./state.ts";

export interface UpOptions {
  name?: string;
  nodes?: number;
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

async function waitHealthy(url: string, token: string, procs: ProcessRecord[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr = "";
  // The API server is not up yet, so there is nothing to watch: poll its readiness endpoint with a short, bounded backoff.
  for (let delay = 50; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
    for (const p of procs) {
      if (!isAlive(p.pid)) throw new Error(`local control plane: ${p.name} exited during start; see ${p.log}:\n${tail(p.log)}`);
    }
    try {
      const res = await fetchInsecure(url, token);
      if (res === 200) return;
      lastErr = `HTTP ${res}`;
    } catch (err) {
      lastErr = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new Error(`local control plane: ${url} not ready within ${timeoutMs}ms (${lastErr})`);
}

async function fetchInsecure(url: string, token: string): Promise<number> {
  const https = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = https.request(url, { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
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
  const bins: Binaries = findBinaries(env);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), `plumbline-${name}-`));
  const procs: ProcessRecord[] = [];
  const pidFile = join(dir, "pids");
  const state: ClusterState = { name, dir, kubeconfig: join(dir, "kubeconfig"), server: "", processes: procs, startedAt: new Date().toISOString(), version: KUBE_VERSION };
  const start = (pname: string, bin: string, args: string[]): void => {
    const logPath = join(dir, `${pname}.log`);
    const fd = openSync(logPath, "a", 0o600);
    const child = spawn(bin, args, { detached: true, stdio: ["ignore", fd, fd], cwd: dir });
    closeSync(fd);
    child.unref();
    if (!child.pid) throw new Error(`local control plane: cannot start ${bin}`);
    procs.push({ name: pname, pid: child.pid, log: logPath });
    writeFileSync(pidFile, procs.map((p) => p.pid).join("\n") + "\n");
    writeState(state, file);
  };
  if (opts.ownerPid) startReaper(opts.ownerPid, dir, file);
  try {
    const t0 = Date.now();
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    start("etcd", bins.etcd, [
      "--name=plumbline", `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`, `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=plumbline=http://127.0.0.1:${peerPort}`, "--log-level=warn",
    ]);
    const token = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${token},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
    writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    mkdirSync(join(dir, "certs"), { mode: 0o700 });
    start("kube-apiserver", bins["kube-apiserver"], [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
      `--secure-port=${apiPort}`, "--insecure-port=0", `--cert-dir=${join(dir, "certs")}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`, "--authorization-mode=Node,RBAC",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${join(dir, "sa.pub")}`, `--service-account-signing-key-file=${join(dir, "sa.key")}`,
      "--service-cluster-ip-range=10.96.0.0/16", "--allow-privileged=true", "--v=0",
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    state.server = server;
    log(`[local] etcd and kube-apiserver starting on ${server}`);
    await waitHealthy(`${server}/readyz`, token, procs, timeoutMs);
    const caFile = join(dir, "certs", "apiserver.crt");
    const ca = existsSync(caFile) ? readFileSync(caFile, "utf8") : undefined;
    writeFileSync(state.kubeconfig, kubeconfigYaml(server, token, ca), { mode: 0o600 });
    // Components talk to the API server with the same admin identity (a private loopback cluster).
    const compKubeconfig = join(dir, "components.kubeconfig");
    writeFileSync(compKubeconfig, kubeconfigYaml(server, token, undefined), { mode: 0o600 });
    start("kube-controller-manager", bins["kube-controller-manager"], [
      `--kubeconfig=${compKubeconfig}`, `--service-account-private-key-file=${join(dir, "sa.key")}`,
      "--controllers=*,-nodeipam", "--leader-elect=false", "--port=0", "--secure-port=0",
      ...(ca ? [`--root-ca-file=${caFile}`] : []), "--v=0",
    ]);
    start("kube-scheduler", bins["kube-scheduler"], [`--kubeconfig=${compKubeconfig}`, "--leader-elect=false", "--port=0", "--secure-port=0", "--v=0"]);
    const nodes = opts.nodes ?? 1;
    for (let i = 1; i <= nodes; i++) {
      start(`node-${i}`, bins.kubemark, [
        "--morph=kubelet", `--name=node-${i}`, `--kubeconfig=${compKubeconfig}`,
        `--kubelet-port=${await freePort()}`, `--kubelet-read-only-port=0`, "--v=0",
      ]);
    }
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
    rmSync(dir, { recursive: true, force: true });
    removeState(file);
    throw err;
  }
}

async function stopProcesses(procs: readonly ProcessRecord[]): Promise<void> {
  const order = [...procs].reverse();
  for (const p of order) {
    try { process.kill(p.pid, "SIGTERM"); } catch { /* already gone */ }
  }
  await untilGone(order, 10_000, 100);
  for (const p of order) {
    try { process.kill(p.pid, "SIGKILL"); } catch { /* already gone */ }
  }
  // a kill is delivered asynchronously: return once they are gone (their data directory is removed next)
  await untilGone(order, 10_000, 50);
}

async function untilGone(procs: readonly ProcessRecord[], timeoutMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (procs.some((p) => isAlive(p.pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Stops exactly the processes the plane started (by pid) and removes its data. */
export async function downLocalCluster(name = "default", env: NodeJS.ProcessEnv = process.env): Promise<ClusterState | undefined> {
  const file = stateFile(name, env);
  const state = readState(file);
  if (!state) return undefined;
  await stopProcesses(state.processes);
  rmSync(state.dir, { recursive: true, force: true });
  removeState(file);
  return state;
}

export function localClusterStatus(name = "default", env: NodeJS.ProcessEnv = process.env): { state: ClusterState; running: ProcessRecord[]; stopped: ProcessRecord[] } | undefined {
  const state = readState(stateFile(name, env));
  if (!state) return undefined;
  return {
    state,
    running: state.processes.filter((p) => isAlive(p.pid)),
    stopped: state.processes.filter((p) => !isAlive(p.pid)),
  };
}
