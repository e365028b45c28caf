import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { downLocalCluster, upLocalCluster } from "../../src/local-cluster/index.ts";
import { isAlive } from "../../src/local-cluster/state.ts";
import { hasCondition, waitForObject } from "../../src/kube/wait.ts";
import { freshNamespace, testKube } from "../support/cluster.ts";

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

test("a Deployment becomes Available on the hollow node", async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t);
  await kube.apply({
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
  }, { fieldManager: "plumbline" });
  const dep = await waitForObject(kube, "apps/v1", "Deployment", ns, "web", (d) => hasCondition(d, "Available") && (d?.["status"] as { availableReplicas?: number }).availableReplicas === 2, { timeoutMs: 60_000 });
  assert.equal((dep?.["status"] as { readyReplicas?: number }).readyReplicas, 2);
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

test("down stops every process it started and removes its directory", async () => {
  const name = `updown-${process.pid}`;
  const c = await upLocalCluster({ name, ownerPid: process.pid });
  const pids = c.state.processes.map((p) => p.pid);
  assert.equal(pids.length, 5);
  for (const pid of pids) assert.equal(isAlive(pid), true);
  await downLocalCluster(name);
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still running`);
  assert.equal(existsSync(c.state.dir), false);
});
