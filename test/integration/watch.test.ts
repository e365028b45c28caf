import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import type { EngineEvent } from "../../src/core/events.ts";
import { bootstrapObjects, newEngineState, sync, type SyncOptions } from "../../src/reconcile/sync.ts";
import { watchTree, type WatchReport } from "../../src/reconcile/watch.ts";
import { createRepo } from "../support/git-repo.ts";
import { testKubeconfig, testSetup, waitForObject } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";

const dataOf = (o: { [k: string]: unknown } | undefined): Record<string, string> => (o?.["data"] ?? {}) as Record<string, string>;

test("watch mode reverts a manual change and recreates a deleted object through watches, and applies a new commit at the source's interval", async (t) => {
  const { kube, ns, dir: cacheDir } = await testSetup(t, "watch");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/settings.yaml": configMapYaml("settings", ns, { mode: "git" }),
    "apps/extra.yaml": configMapYaml("extra", ns, { a: "1" }),
  });
  t.after(() => repo.remove());
  const events: EngineEvent[] = [];
  const opts: SyncOptions = { kube, url: repo.dir, ref: { branch: "main" }, path: "clusters/c", namespace: ns, cacheDir, events: (e) => events.push(e), interval: "1s" };
  const state = newEngineState(kube, cacheDir, opts.events);
  const first = await sync(opts, state);
  assert.ok(first.kustomizations.every((k) => k.ready), JSON.stringify(first.kustomizations));

  const reports: WatchReport[] = [];
  let notify = (): void => {};
  /** Resolves once a report matching `pred` has arrived (bounded). */
  const reported = async (what: string, pred: (r: WatchReport) => boolean): Promise<WatchReport> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const hit = reports.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no report of ${what}; got ${JSON.stringify(reports.map((r) => [r.trigger, r.kustomizations.map((k) => [k.name, k.revision, k.changes])]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now() + 1);
        notify = () => { clearTimeout(timer); resolve(); };
      });
    }
  };
  const ctrl = new AbortController();
  const running = watchTree(opts, state, bootstrapObjects(opts).source, ctrl.signal, (r) => { reports.push(r); notify(); });
  const kubectl = (...args: string[]): string => execFileSync("kubectl", ["--kubeconfig", testKubeconfig(), "-n", ns, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    // a manual change: seen through the watch, reported with its manager, reverted
    kubectl("patch", "configmap", "settings", "--type=merge", "-p", JSON.stringify({ data: { mode: "manual" } }));
    await waitForObject(kube, "v1", "ConfigMap", ns, "settings", (o) => dataOf(o)["mode"] === "git", { timeoutMs: 30_000 });
    await reported("the reverted change", (r) => r.trigger === "drift" && r.kustomizations.some((k) => k.name === "app" && k.changes.configured === 1));
    const drift = events.find((e): e is Extract<EngineEvent, { type: "drift.detected" }> => e.type === "drift.detected" && e.ref.name === "settings");
    assert.ok(drift, "a drift event for ConfigMap settings");
    assert.deepEqual(drift.fields.map((f) => [f.path, f.manager]), [["data.mode", "kubectl-patch"]]);

    // a manual deletion: recreated
    const uid = (await kube.get("v1", "ConfigMap", ns, "extra"))?.metadata.uid;
    kubectl("delete", "configmap", "extra", "--wait=false");
    const back = await waitForObject(kube, "v1", "ConfigMap", ns, "extra", (o) => o !== undefined && o.metadata.uid !== uid, { timeoutMs: 30_000 });
    assert.equal(dataOf(back)["a"], "1");

    // a new commit: picked up by the source poll (interval 1s), no restart
    const sha = await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { mode: "git-v2" }) });
    await waitForObject(kube, "v1", "ConfigMap", ns, "settings", (o) => dataOf(o)["mode"] === "git-v2", { timeoutMs: 30_000 });
    await reported("the new revision", (r) => r.trigger === "interval" && r.kustomizations.some((k) => k.name === "app" && k.revision === `main@sha1:${sha}` && k.changes.configured === 1));
    // the status patches of child Kustomizations are not drift of their parent
    assert.ok(!reports.some((r) => r.trigger === "drift" && r.kustomizations.some((k) => k.name === "flux-system")), "flux-system was reconciled for a status-only change");
  } finally {
    ctrl.abort();
    await running;
  }
  // watchTree returned after the abort (the await above): its watches and timers are gone with it
  assert.equal(ctrl.signal.aborted, true);
});

test("watch mode handles reconcile requests (reconcile.fluxcd.io/requestedAt) on a GitRepository and a Kustomization, and echoes them in status", async (t) => {
  const { kube, ns, dir: cacheDir } = await testSetup(t, "request");
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/settings.yaml": configMapYaml("settings", ns, { v: "1" }) });
  t.after(() => repo.remove());
  // an hour between polls: only a request can bring the new commit in during this test
  const opts: SyncOptions = { kube, url: repo.dir, ref: { branch: "main" }, path: "clusters/c", namespace: ns, cacheDir, events: () => {}, interval: "1h" };
  const state = newEngineState(kube, cacheDir, opts.events);
  assert.ok((await sync(opts, state)).kustomizations.every((k) => k.ready));
  const reports: WatchReport[] = [];
  const ctrl = new AbortController();
  const running = watchTree(opts, state, bootstrapObjects(opts).source, ctrl.signal, (r) => reports.push(r));
  const annotate = (kind: string, name: string, value: string): string =>
    execFileSync("kubectl", ["--kubeconfig", testKubeconfig(), "-n", ns, "annotate", "--overwrite", kind, name, `reconcile.fluxcd.io/requestedAt=${value}`], { encoding: "utf8" });
  const handled = (value: string) => (o: { [k: string]: unknown } | undefined): boolean => (o?.["status"] as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt === value;
  try {
    const sha = await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { v: "2" }) });
    annotate("gitrepositories.source.toolkit.fluxcd.io", "flux-system", "2026-11-25T10:00:00Z");
    await waitForObject(kube, "v1", "ConfigMap", ns, "settings", (o) => dataOf(o)["v"] === "2", { timeoutMs: 30_000 });
    await waitForObject(kube, "source.toolkit.fluxcd.io/v1", "GitRepository", ns, "flux-system", handled("2026-11-25T10:00:00Z"), { timeoutMs: 30_000 });
    const app = await waitForObject(kube, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, "app", (o) => (o?.["status"] as { lastAppliedRevision?: string }).lastAppliedRevision === `main@sha1:${sha}`, { timeoutMs: 30_000 });
    assert.ok(app);

    annotate("kustomizations.kustomize.toolkit.fluxcd.io", "app", "2026-11-25T10:05:00Z");
    await waitForObject(kube, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, "app", handled("2026-11-25T10:05:00Z"), { timeoutMs: 30_000 });
  } finally {
    ctrl.abort();
    await running;
  }
  assert.ok(reports.some((r) => r.trigger === "requested" && r.kustomizations.some((k) => k.name === "app")), JSON.stringify(reports.map((r) => r.trigger)));
  assert.ok(!reports.some((r) => r.trigger === "interval"), "no interval poll was due within the hour");
});
