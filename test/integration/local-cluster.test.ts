import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { hasCondition, waitForObject } from "../../src/kube/wait.ts";
import { parseKubeLine } from "../../src/local-cluster/binaries.ts";
import { continueComponent, pauseComponent, restartComponent, startComponent, stopComponent } from "../../src/local-cluster/component.ts";
import { downLocalCluster, localClusterStatus, upLocalCluster } from "../../src/local-cluster/index.ts";
import { hollowRootDirs } from "../../src/local-cluster/leftovers.ts";
import { httpStatus } from "../../src/local-cluster/probe.ts";
import { isAlive, pidFile, processState } from "../../src/local-cluster/state.ts";
import { freshNamespace, testKube } from "../support/cluster.ts";
import { needsKube } from "../support/kube-version.ts";

test("server-side apply creates and then updates an object with our field manager", async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t);
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: ns }, data: { a: "1" } };
  const created = await kube.apply(cm, { fieldManager: "plumbline" });
  assert.equal((created["data"] as Record<string, string>)["a"], "1");
  const updated = await kube.apply({ ...cm, data: { a: "2" } }, { fieldManager: "plumbline" });
  assert.equal((updated["data"] as Record<string, string>)["a"], "2");
  assert.ok(updated.metadata.managedFields?.some((m) => m.manager === "plumbline" && m.operation === "Apply"));
});

test("the API server reports the release it was built as (clients and charts' kubeVersion read gitVersion)", async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const v = (await kube.http.request("GET", "/version")).body as { gitVersion?: string; minor?: string };
  const expected = process.env["PLUMBLINE_TEST_KUBERNETES"];
  assert.ok(expected, "PLUMBLINE_TEST_KUBERNETES is set by scripts/run-tests.ts");
  assert.equal(v.gitVersion?.replace(/\+.*$/, ""), `v${expected}`);
  assert.equal(v.minor?.replace(/\+$/, ""), expected.split(".")[1]);
});

test("a Deployment becomes Available on the hollow node, its Pods Running", async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t);
  await kube.apply({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
  }, { fieldManager: "plumbline" });
  const dep = await waitForObject(kube, "apps/v1", "Deployment", ns, "web", (d) => hasCondition(d, "Available") && (d?.["status"] as { availableReplicas?: number }).availableReplicas === 2, { timeoutMs: 60_000 });
  assert.equal((dep?.["status"] as { readyReplicas?: number }).readyReplicas, 2);
  const pods = (await kube.list("v1", "Pod", { namespace: ns, labelSelector: "app=web" })).items;
  assert.equal(pods.length, 2);
  // the hollow kubelet may report Ready a moment before it writes the phase
  for (const p of pods) {
    const running = await waitForObject(kube, "v1", "Pod", ns, p.metadata.name ?? "", (o) => (o?.["status"] as { phase?: string } | undefined)?.phase === "Running", { timeoutMs: 30_000 });
    assert.equal((running?.["spec"] as { nodeName?: string }).nodeName, "node-1", "scheduled onto the hollow node");
  }
});

test("an autoscaling/v2 HorizontalPodAutoscaler is served and reconciled, and a batch/v1 CronJob applies (Kubernetes >= 1.23)", { skip: needsKube(1, 23, "autoscaling/v2 is served from 1.23, batch/v1 CronJob from 1.21") }, async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t);
  await kube.apply({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: "api" } }, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "nginx:1.25", resources: { requests: { cpu: "100m" } } }] } } },
  }, { fieldManager: "plumbline" });
  await kube.apply({
    apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "api", namespace: ns },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 1, maxReplicas: 3,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
    },
  }, { fieldManager: "plumbline" });
  // The controller-manager's HPA controller takes it up: it finds the target scalable (no metrics server, so it cannot compute a recommendation).
  const hpa = await waitForObject(kube, "autoscaling/v2", "HorizontalPodAutoscaler", ns, "api", (h) => hasCondition(h, "AbleToScale"), { timeoutMs: 60_000 });
  assert.equal(hpa?.apiVersion, "autoscaling/v2");
  assert.deepEqual((hpa?.["spec"] as { metrics?: unknown[] }).metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  const cron = await kube.apply({
    apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "report", namespace: ns },
    spec: { schedule: "0 6 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "report", image: "busybox:1.36" }] } } } } },
  }, { fieldManager: "plumbline" });
  assert.equal((cron["spec"] as { concurrencyPolicy?: string }).concurrencyPolicy, "Allow");
  assert.ok(await kube.get("batch/v1", "CronJob", ns, "report"));
});

test("deleting a namespace completes", async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t);
  await kube.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: ns }, data: {} }, { fieldManager: "plumbline" });
  await kube.delete("v1", "Namespace", undefined, ns);
  const gone = await waitForObject(kube, "v1", "Namespace", undefined, ns, (n) => n === undefined, { timeoutMs: 60_000 });
  assert.equal(gone, undefined);
});

const quiet = { stdout: (): void => undefined, stderr: (): void => undefined, cwd: process.cwd() };
const plumbLocal = (...args: string[]): Promise<number> => main(["local", ...args], { ...quiet, env: process.env });
const pidsInFile = (file: string): number[] => readFileSync(file, "utf8").split("\n").filter(Boolean).map(Number);

test("a second named plane runs beside the shared one; its components stop, start, restart, pause and continue; down stops only its own", async (t) => {
  const name = `comp-${process.pid}`;
  const c = await upLocalCluster({ name, ownerPid: process.pid, kubernetes: parseKubeLine(process.env["PLUMBLINE_KUBERNETES"]) });
  t.after(() => downLocalCluster(name));
  const kube = KubeClient.fromKubeconfig(c.state.kubeconfig);
  t.after(() => kube.close());
  const shared = testKube();
  t.after(() => shared.close());
  assert.notEqual(kube.server, shared.server);
  assert.equal(c.state.processes.length, 5);
  const token = readFileSync(`${c.state.dir}/tokens.csv`, "utf8").split(",")[0];
  const readyz = (): Promise<number> => httpStatus(`${c.state.server}/readyz`, token, 1000).catch(() => 0);
  const pidOf = (component: string): number => localClusterStatus(name)?.state.processes.find((p) => p.name === component)?.pid ?? 0;

  await t.test("stop kube-scheduler: gone, shown stopped, out of the watchdog's pid file; start: a new process, healthy", async () => {
    const old = pidOf("kube-scheduler");
    assert.equal(await plumbLocal("stop", "kube-scheduler", "--name", name), 0);
    assert.equal(isAlive(old), false);
    const st = localClusterStatus(name);
    assert.deepEqual(st?.stopped.map((p) => p.name), ["kube-scheduler"]);
    assert.ok(!pidsInFile(pidFile(c.state)).includes(old));
    assert.equal(await plumbLocal("status", "--name", name), 1, "degraded while a component is stopped");
    assert.equal(await plumbLocal("start", "kube-scheduler", "--name", name), 0);
    const now = pidOf("kube-scheduler");
    assert.notEqual(now, old);
    assert.equal(isAlive(now), true);
    assert.ok(pidsInFile(pidFile(c.state)).includes(now));
    assert.equal(await plumbLocal("status", "--name", name), 0);
  });

  await t.test("pause kube-apiserver: it stops answering; continue: it answers again", async () => {
    assert.equal(await readyz(), 200);
    await pauseComponent(name, "kube-apiserver");
    assert.equal(processState(pidOf("kube-apiserver")), "T");
    assert.equal(await readyz(), 0, "a paused API server does not answer");
    await continueComponent(name, "kube-apiserver");
    assert.equal(await readyz(), 200);
  });

  await t.test("stop etcd: the API server is no longer ready; start etcd: ready again, with the data etcd held", async () => {
    await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kept", namespace: "default" }, data: { a: "1" } });
    await stopComponent(name, "etcd");
    let status = 200;
    for (let i = 0; i < 60 && status === 200; i++) {
      status = await readyz();
      if (status === 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.notEqual(status, 200, "readyz fails without etcd");
    await startComponent(name, "etcd");
    // the API server reconnects on its own
    let back = 0;
    for (let i = 0; i < 120 && back !== 200; i++) {
      back = await readyz();
      if (back !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(back, 200);
    assert.deepEqual((await kube.get("v1", "ConfigMap", "default", "kept"))?.["data"], { a: "1" });
  });

  await t.test("restart kube-apiserver and the hollow node: same certificates and kubeconfig, the Node Ready again", async () => {
    const since = new Date().toISOString();
    await restartComponent(name, "kube-apiserver");
    await restartComponent(name, "kubelet");
    assert.equal(await readyz(), 200);
    const node = await waitForObject(kube, "v1", "Node", undefined, "node-1", (n) => hasCondition(n, "Ready"), { timeoutMs: 60_000 });
    assert.ok(node);
    const lease = await kube.get("coordination.k8s.io/v1", "Lease", "kube-node-lease", "node-1");
    assert.ok(String((lease?.["spec"] as { renewTime?: string }).renewTime) >= since.slice(0, 19), "the restarted kubelet renews its Lease");
  });

  await t.test("an unknown component is refused naming the known ones", async () => {
    await assert.rejects(stopComponent(name, "kube-proxy"), /no component "kube-proxy"; one of: etcd, kube-apiserver, .*node-1/);
  });

  await t.test("down stops every process of this plane and removes its directory and its hollow kubelet's; the shared plane still answers", async () => {
    const pids = localClusterStatus(name)?.state.processes.map((p) => p.pid) ?? [];
    assert.equal(pids.length, 5);
    const roots = hollowRootDirs(readFileSync(`${c.state.dir}/node-1.log`, "utf8"));
    assert.equal(roots.length, 2, "the hollow kubelet made a root directory under /tmp at each of its two starts");
    assert.ok(roots.every((d) => existsSync(d)));
    assert.equal(await plumbLocal("down", "--name", name), 0);
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
    assert.equal(existsSync(c.state.dir), false);
    assert.deepEqual(roots.filter((d) => existsSync(d)), [], "the hollow kubelet's root directories are removed too");
    assert.equal(localClusterStatus(name), undefined);
    assert.ok(await shared.get("v1", "Namespace", undefined, "default"), "the shared plane is untouched");
  });
});
