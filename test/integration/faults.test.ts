/**
 * Faults against a control plane of this file's own (its components are stopped, paused and restarted here):
 * the API server paused mid-sync, the API server and etcd restarted under watch mode, plumb SIGKILLed and
 * SIGTERMed mid-apply, and the Git remote going down during watch. Each time: a clear failure or completion,
 * nothing pruned wrongly, and recovery (watch mode by itself, one-shot sync on the next run).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { GIT_REPOSITORY_API_VERSION } from "../../src/core/flux-api.ts";
import type { KubeObject } from "../../src/core/object-ref.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { waitForObject } from "../../src/kube/wait.ts";
import { continueComponent, pauseComponent, restartComponent, startComponent, stopComponent } from "../../src/local-cluster/component.ts";
import { parseKubeLine } from "../../src/local-cluster/binaries.ts";
import { downLocalCluster, upLocalCluster } from "../../src/local-cluster/index.ts";
import { freshNamespace } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { createRepo, type FileMap, type TestRepo } from "../support/git-repo.ts";
import { runPlumb, shown, startPlumb, type PlumbProcess, type PlumbRun } from "./helpers/plumb-process.ts";
import { startTcpGate } from "./helpers/tcp-gate.ts";

const PLANE = `faults-${process.pid}`;
let kubeconfig = "";

before(async () => {
  // the line the rest of the suite runs against (scripts/run-tests.ts reads the same variable)
  const c = await upLocalCluster({ name: PLANE, kubernetes: parseKubeLine(process.env["PLUMBLINE_KUBERNETES"]), ownerPid: process.pid, timeoutMs: 120_000 });
  kubeconfig = c.state.kubeconfig;
}, { timeout: 180_000 });
after(() => downLocalCluster(PLANE));

const dataOf = (o: KubeObject | undefined): Record<string, string> => (o?.["data"] ?? {}) as Record<string, string>;

/** `count` ConfigMaps in one file (a generated kustomization folder), all with data v. */
function manyConfigMaps(ns: string, count: number, v: string, from = 0): string {
  return Array.from({ length: count }, (_, i) => configMapYaml(`item-${from + i}`, ns, { v })).join("---\n");
}

interface Fixture {
  kube: KubeClient;
  ns: string;
  repo: TestRepo;
  dir: string;
  syncArgs(source?: string): string[];
  sync(source?: string): Promise<PlumbRun>;
  /** Waits (bounded) until `text` appears in the process's output. */
  untilOutput(p: PlumbProcess, text: string | RegExp, timeoutMs?: number): Promise<void>;
}

async function fixture(t: TestContext, prefix: string, files: (ns: string) => FileMap): Promise<Fixture> {
  const kube = KubeClient.fromKubeconfig(kubeconfig);
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t, prefix);
  const dir = mkdtempSync(join(tmpdir(), `plumbline-${prefix}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = await createRepo(files(ns));
  t.after(() => repo.remove());
  const syncArgs = (source = repo.dir): string[] => ["sync", "--source", source, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(dir, "cache")];
  return {
    kube, ns, repo, dir, syncArgs,
    sync: (source) => runPlumb(syncArgs(source), { kubeconfig }),
    async untilOutput(p, text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const seen = (): boolean => {
        const o = p.output();
        return typeof text === "string" ? (o.out + o.err).includes(text) : text.test(o.out + o.err);
      };
      while (!seen()) {
        if (Date.now() > deadline || p.child.exitCode !== null) throw new Error(`no ${String(text)} in the output within ${timeoutMs}ms\n${JSON.stringify(p.output())}`);
        await delay(50);
      }
    },
  };
}

const uids = async (kube: KubeClient, ns: string): Promise<Map<string, string>> =>
  new Map((await kube.list("v1", "ConfigMap", { namespace: ns, labelSelector: "kustomize.toolkit.fluxcd.io/name=app" })).items.map((o) => [o.metadata.name ?? "", o.metadata.uid ?? ""]));

const tree = (count: number, v: string) => (ns: string): FileMap => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/items.yaml": manyConfigMaps(ns, count, v) });

test("the API server paused (SIGSTOP) mid-sync and continued: the sync fails clearly or completes, nothing still in Git is pruned, the next run converges", async (t) => {
  const f = await fixture(t, "pause", tree(40, "1"));
  const first = await f.sync();
  assert.equal(first.code, 0, shown(first));
  const before = await uids(f.kube, f.ns);
  assert.equal(before.size, 40);

  // the new revision changes every value and drops item-0 (a legitimate prune)
  await f.repo.commit({ "apps/items.yaml": manyConfigMaps(f.ns, 39, "2", 1) });
  const p = startPlumb(f.syncArgs(), { kubeconfig, timeoutMs: 240_000 });
  await f.untilOutput(p, "fetched");
  await pauseComponent(PLANE, "kube-apiserver");
  try {
    await delay(4000); // the outage itself: how long the API server stays frozen
  } finally {
    await continueComponent(PLANE, "kube-apiserver");
  }
  const r = await p.done;
  assert.notEqual(r.code, null, `the sync ended by itself (not by the test's timeout)\n${shown(r)}`);
  if (r.code !== 0) assert.match(r.out + r.err, /✖ .*(app|flux-system)/, `a failed sync says which Kustomization failed\n${shown(r)}`);
  const during = await uids(f.kube, f.ns);
  for (let i = 1; i < 40; i++) assert.equal(during.get(`item-${i}`), before.get(`item-${i}`), `item-${i} (still in Git) was deleted or replaced`);

  const next = await f.sync();
  assert.equal(next.code, 0, shown(next));
  const after = await uids(f.kube, f.ns);
  assert.equal(after.has("item-0"), false, "item-0 left Git and is pruned");
  for (let i = 1; i < 40; i++) assert.equal(dataOf(await f.kube.get("v1", "ConfigMap", f.ns, `item-${i}`))["v"], "2");
});

test("watch mode rides out an API server restart and an etcd restart: it reconciles new commits and reverts drift afterwards", async (t) => {
  const f = await fixture(t, "restart", (ns) => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/settings.yaml": configMapYaml("settings", ns, { v: "1" }) }));
  const w = startPlumb([...f.syncArgs(), "--watch", "--interval", "1s"], { kubeconfig, timeoutMs: 300_000 });
  t.after(() => { if (w.child.exitCode === null) w.child.kill("SIGKILL"); });
  await f.untilOutput(w, "watching");
  const value = (v: string) => (o: KubeObject | undefined): boolean => dataOf(o)["v"] === v;

  // the API server killed (stopped) for a while, a commit made meanwhile, then started again
  await stopComponent(PLANE, "kube-apiserver");
  try {
    await f.repo.commit({ "apps/settings.yaml": configMapYaml("settings", f.ns, { v: "2" }) });
    await delay(3000); // the outage: watch mode keeps polling and failing meanwhile
  } finally {
    await startComponent(PLANE, "kube-apiserver");
  }
  await waitForObject(f.kube, "v1", "ConfigMap", f.ns, "settings", value("2"), { timeoutMs: 90_000 });
  // drift made after the restart is seen through fresh watches and reverted
  await f.kube.patch("v1", "ConfigMap", f.ns, "settings", { data: { v: "manual" } }, "application/merge-patch+json");
  await waitForObject(f.kube, "v1", "ConfigMap", f.ns, "settings", value("2"), { timeoutMs: 90_000 });

  // etcd restarted under the API server
  await restartComponent(PLANE, "etcd");
  await f.repo.commit({ "apps/settings.yaml": configMapYaml("settings", f.ns, { v: "3" }) });
  await waitForObject(f.kube, "v1", "ConfigMap", f.ns, "settings", value("3"), { timeoutMs: 90_000 });

  w.child.kill("SIGTERM");
  const r = await w.done;
  assert.equal(r.code, 143, `watch mode shuts down on SIGTERM with 128 + 15\n${shown(r)}`);
  assert.ok(await f.kube.get("v1", "ConfigMap", f.ns, "settings"), "nothing was pruned");
});

/** Syncs a tree with `count` new ConfigMaps and sends `signal` once the apply has begun writing them. */
async function interruptedApply(f: Fixture, signal: "SIGKILL" | "SIGTERM", count: number): Promise<PlumbRun> {
  await f.repo.commit({ "apps/items.yaml": manyConfigMaps(f.ns, count, "1") });
  const p = startPlumb(f.syncArgs(), { kubeconfig, timeoutMs: 240_000 });
  const written = async (): Promise<number> => (await f.kube.list("v1", "ConfigMap", { namespace: f.ns })).items.filter((o) => o.metadata.name?.startsWith("item-")).length;
  const deadline = Date.now() + 60_000;
  while ((await written()) === 0) {
    assert.ok(Date.now() < deadline && p.child.exitCode === null, `the apply did not start writing within 60 s\n${JSON.stringify(p.output())}`);
    await delay(20);
  }
  p.child.kill(signal);
  const r = await p.done;
  assert.ok(signal === "SIGKILL" || r.signal !== "SIGKILL", `SIGTERM ended the process before the test's timeout\n${shown(r)}`);
  const left = await written();
  assert.ok(left < count, `the apply was interrupted (${left} of ${count} written); raise count if this machine is faster`);
  return r;
}

const anchorTree = (ns: string): FileMap => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/anchor.yaml": configMapYaml("anchor", ns, { v: "1" }) });
const items = async (f: Fixture): Promise<string[]> => (await f.kube.list("v1", "ConfigMap", { namespace: f.ns })).items.map((o) => o.metadata.name ?? "").filter((n) => n.startsWith("item-"));

for (const signal of ["SIGKILL", "SIGTERM"] as const) {
  test(`plumb ${signal}ed mid-apply: the next run converges`, async (t) => {
    const f = await fixture(t, `${signal.toLowerCase()}-next`, anchorTree);
    const first = await f.sync();
    assert.equal(first.code, 0, shown(first));
    const killed = await interruptedApply(f, signal, 300);
    if (signal === "SIGTERM") assert.notEqual(killed.code, 0, `an interrupted sync does not report success\n${shown(killed)}`);
    const next = await f.sync();
    assert.equal(next.code, 0, shown(next));
    assert.equal((await items(f)).length, 300);
    assert.ok(await f.kube.get("v1", "ConfigMap", f.ns, "anchor"));
  });

  test(`plumb ${signal}ed mid-apply, then the new objects leave Git before any run converged: none is orphaned`, async (t) => {
    const f = await fixture(t, `${signal.toLowerCase()}-orphan`, anchorTree);
    const first = await f.sync();
    assert.equal(first.code, 0, shown(first));
    await interruptedApply(f, signal, 300);
    await f.repo.commit({ "apps/items.yaml": null });
    const next = await f.sync();
    assert.equal(next.code, 0, shown(next));
    assert.deepEqual(await items(f), [], "objects the interrupted apply wrote must be pruned once they leave Git");
    assert.ok(await f.kube.get("v1", "ConfigMap", f.ns, "anchor"));
  });
}

test("the Git remote down during watch: GitRepository status names the URL, nothing is pruned, and the change lands when it is back", async (t) => {
  const f = await fixture(t, "remote", tree(3, "1"));
  const root = mkdtempSync(join(tmpdir(), "plumbline-remote-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  await f.repo.publish(root, "fleet.git");
  const server = await startGitHttpServer({ root });
  t.after(() => server.stop());
  const gate = await startTcpGate(Number(new URL(server.url).port));
  t.after(() => gate.stop());
  const url = `http://127.0.0.1:${gate.port}/fleet.git`;

  const w = startPlumb([...f.syncArgs(url), "--watch", "--interval", "1s"], { kubeconfig, timeoutMs: 300_000 });
  t.after(() => { if (w.child.exitCode === null) w.child.kill("SIGKILL"); });
  await f.untilOutput(w, "watching");
  const before = await uids(f.kube, f.ns);
  assert.equal(before.size, 3);

  await gate.close();
  // meanwhile Git moves on; none of it can be fetched yet
  await f.repo.commit({ "apps/items.yaml": manyConfigMaps(f.ns, 3, "2") });
  await f.repo.publish(root, "fleet.git");
  const failed = await waitForObject(f.kube, GIT_REPOSITORY_API_VERSION, "GitRepository", f.ns, "flux-system", (o) => {
    const ready = ((o?.["status"] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === "Ready");
    return ready?.status === "False";
  }, { timeoutMs: 60_000 });
  const ready = ((failed?.["status"] as { conditions: { type: string; message: string }[] }).conditions).find((c) => c.type === "Ready");
  assert.ok(ready?.message.includes(url), `the fetch error names the URL: ${ready?.message}`);
  assert.deepEqual(await uids(f.kube, f.ns), before, "nothing pruned or replaced while the remote was down");

  await gate.open();
  for (let i = 0; i < 3; i++) await waitForObject(f.kube, "v1", "ConfigMap", f.ns, `item-${i}`, (o) => dataOf(o)["v"] === "2", { timeoutMs: 60_000 });
  await waitForObject(f.kube, GIT_REPOSITORY_API_VERSION, "GitRepository", f.ns, "flux-system", (o) => ((o?.["status"] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"), { timeoutMs: 60_000 });
  w.child.kill("SIGTERM");
  const r = await w.done;
  assert.equal(r.code, 143, shown(r));
  assert.match(r.err, new RegExp(`✖ Kustomization ${f.ns}/flux-system: git ${url.replace(/[.]/g, "\\.")}`), "the watch output names the URL that failed");
});
