import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KUSTOMIZATION_API_VERSION } from "../../src/core/flux-api.ts";
import { newEngineState, sync } from "../../src/reconcile/sync.ts";
import { createRepo } from "../support/git-repo.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { configMapYaml, deploymentYaml, kustomizationYaml, syncOnce } from "../support/engine.ts";

test("sync creates, a second sync writes nothing, a changed field is configured, a removed file is pruned", async (t) => {
  const { kube, ns } = await testSetup(t, "sync");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/cm.yaml": configMapYaml("settings", ns, { color: "blue" }),
    "apps/extra.yaml": configMapYaml("extra", ns, { a: "1" }),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
  });
  t.after(() => repo.remove());

  const first = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.ok(first.kustomizations.every((k) => k.ready), JSON.stringify(first.kustomizations));
  assert.equal(first.byName("app").changes.created, 3);
  assert.match(first.byName("app").revision, /^main@sha1:[0-9a-f]{40}$/);
  const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "app");
  const status = ks?.["status"] as { inventory: { entries: { id: string; v: string }[] }; lastAppliedRevision: string; conditions: { type: string; status: string; reason: string }[] };
  assert.deepEqual(status.inventory.entries.map((e) => e.id).sort(), [`${ns}_extra__ConfigMap`, `${ns}_settings__ConfigMap`, `${ns}_web_apps_Deployment`]);
  assert.equal(status.conditions.find((c) => c.type === "Ready")?.reason, "ReconciliationSucceeded");
  const cm = await kube.get("v1", "ConfigMap", ns, "settings");
  assert.equal(cm?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "app");
  const rv = cm?.metadata.resourceVersion;

  const second = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(second.writes, 0);
  assert.equal(second.byName("app").changes.unchanged, 3);
  assert.equal((await kube.get("v1", "ConfigMap", ns, "settings"))?.metadata.resourceVersion, rv);

  await repo.commit({ "apps/cm.yaml": configMapYaml("settings", ns, { color: "green" }), "apps/extra.yaml": null });
  const third = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(third.byName("app").changes.configured, 1);
  assert.equal(third.byName("app").changes.deleted, 1);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] as Record<string, string>)["color"], "green");
  assert.equal(await kube.get("v1", "ConfigMap", ns, "extra"), undefined);
});

test("a manual kubectl edit is reported with its field manager and reverted", async (t) => {
  const { kube, ns } = await testSetup(t, "drift");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
  });
  t.after(() => repo.remove());
  await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  // real kubectl edit, with a non-interactive editor
  execFileSync("kubectl", ["edit", "deployment/web", "-n", ns], { env: { ...process.env, KUBECONFIG: testKubeconfig(), KUBE_EDITOR: "sed -i -e s/replicas:\\ 1$/replicas:\\ 3/" }, stdio: "pipe" });
  const edited = await kube.get("apps/v1", "Deployment", ns, "web");
  assert.equal((edited?.["spec"] as { replicas: number }).replicas, 3);

  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(run.byName("app").changes.configured, 1);
  const drift = run.events.find((e) => e.type === "drift.detected");
  assert.ok(drift && drift.type === "drift.detected");
  const replicas = drift.fields.find((f) => f.path === "spec.replicas");
  assert.deepEqual([replicas?.live, replicas?.desired, replicas?.manager], ["3", "1", "kubectl-edit"]);
  const after = await kube.get("apps/v1", "Deployment", ns, "web");
  assert.equal((after?.["spec"] as { replicas: number }).replicas, 1);
  assert.ok(!after?.metadata.managedFields?.some((m) => m.manager === "kubectl-edit"), "ownership taken back from kubectl-edit");
});

test("an immutable field change fails without force (nothing of the stage written) and recreates with force", async (t) => {
  const { kube, ns } = await testSetup(t, "immut");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
    "apps/cm.yaml": configMapYaml("settings", ns, { v: "1" }),
  });
  t.after(() => repo.remove());
  await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  const uid = (await kube.get("apps/v1", "Deployment", ns, "web"))?.metadata.uid;
  await repo.commit({ "apps/web.yaml": deploymentYaml("web", ns, 1, "", "app: web2"), "apps/cm.yaml": configMapYaml("settings", ns, { v: "2" }) });
  const failed = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  const app = failed.byName("app");
  assert.equal(app.ready, false);
  assert.match(app.message, /Deployment\/.*\/web: immutable field changed/);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] as Record<string, string>)["v"], "1", "nothing of the failed stage was written");

  await repo.commit({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  force: true\n") });
  const forced = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(forced.byName("app").ready, true, forced.byName("app").message);
  const now = await kube.get("apps/v1", "Deployment", ns, "web");
  assert.notEqual(now?.metadata.uid, uid);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] as Record<string, string>)["v"], "2");
});

test("a render failure names the file and deletes nothing; an empty render deletes nothing", async (t) => {
  const { kube, ns } = await testSetup(t, "broken");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/cm.yaml": configMapYaml("settings", ns, { v: "1" }),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
  });
  t.after(() => repo.remove());
  await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  await repo.commit({ "apps/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n   namespace: [oops\n" });
  const broken = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(broken.byName("app").ready, false);
  assert.equal(broken.byName("app").reason, "BuildFailed");
  assert.match(broken.byName("app").message, /apps\/web\.yaml/);
  assert.ok(await kube.get("v1", "ConfigMap", ns, "settings"));
  assert.ok(await kube.get("apps/v1", "Deployment", ns, "web"));

  await repo.commit({ "apps/web.yaml": null, "apps/cm.yaml": null, "apps/README.md": "nothing here" });
  const empty = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(empty.byName("app").ready, false);
  assert.match(empty.byName("app").message, /produced no objects while the inventory holds 2/);
  assert.ok(await kube.get("v1", "ConfigMap", ns, "settings"));
});

test("a Kustomization removed from Git has its inventory garbage-collected", async (t) => {
  const { kube, ns } = await testSetup(t, "gc");
  const repo = await createRepo({
    "clusters/c/a.yaml": kustomizationYaml("a", ns, "./a"),
    "clusters/c/b.yaml": kustomizationYaml("b", ns, "./b"),
    "a/cm.yaml": configMapYaml("from-a", ns, { x: "1" }),
    "b/cm.yaml": configMapYaml("from-b", ns, { x: "1" }),
  });
  t.after(() => repo.remove());
  await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.ok(await kube.get("v1", "ConfigMap", ns, "from-b"));
  await repo.commit({ "clusters/c/b.yaml": null });
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(run.byName("flux-system").ready, true, run.byName("flux-system").message);
  assert.equal(await kube.get("v1", "ConfigMap", ns, "from-b"), undefined);
  assert.equal(await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "b"), undefined);
  assert.ok(await kube.get("v1", "ConfigMap", ns, "from-a"));
});

test("dependsOn: order is respected, a cycle fails naming both Kustomizations", async (t) => {
  const { kube, ns } = await testSetup(t, "deps");
  const dep = (n: string) => `  dependsOn:\n  - name: ${n}\n`;
  const repo = await createRepo({
    "clusters/c/infra.yaml": kustomizationYaml("infra", ns, "./infra"),
    "clusters/c/apps.yaml": kustomizationYaml("apps", ns, "./apps", dep("infra")),
    "clusters/c/x.yaml": kustomizationYaml("x", ns, "./infra", dep("y")),
    "clusters/c/y.yaml": kustomizationYaml("y", ns, "./infra", dep("x")),
    "infra/cm.yaml": configMapYaml("infra", ns, { a: "1" }),
    "apps/cm.yaml": configMapYaml("apps", ns, { a: "1" }),
  });
  t.after(() => repo.remove());
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  const started = run.events.filter((e) => e.type === "kustomization.started").map((e) => (e as { kustomization: string }).kustomization);
  assert.ok(started.indexOf(`${ns}/infra`) < started.indexOf(`${ns}/apps`));
  assert.equal(run.byName("apps").ready, true);
  for (const n of ["x", "y"]) {
    assert.equal(run.byName(n).ready, false);
    assert.equal(run.byName(n).reason, "DependencyNotReady");
    assert.match(run.byName(n).message, new RegExp(`dependency cycle: .*${ns}/x.*${ns}/y|dependency cycle: .*${ns}/y.*${ns}/x`));
  }
});

test("a health timeout names the object that was not ready", async (t) => {
  const { kube, ns } = await testSetup(t, "health");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  wait: true\n  timeout: 4s\n"),
    "apps/stuck.yaml": deploymentYaml("stuck", ns, 1, "      nodeSelector:\n        no-such-node: \"true\"\n"),
  });
  t.after(() => repo.remove());
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(run.byName("app").reason, "HealthCheckFailed");
  assert.match(run.byName("app").message, new RegExp(`timed out.*Deployment/${ns}/stuck`));
});

test("a path escaping the repository is refused", async (t) => {
  const { kube, ns } = await testSetup(t, "escape");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "../../../etc"),
    "clusters/c/link.yaml": kustomizationYaml("link", ns, "./linked"),
  });
  symlinkSync("/etc", join(repo.dir, "linked"));
  await repo.commit({}, "add symlink");
  t.after(() => repo.remove());
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(run.byName("app").reason, "InvalidPath");
  assert.match(run.byName("app").message, /leaves the repository/);
  assert.equal(run.byName("link").ready, false);
});

test("syncs sharing one engine state see a manual change and a new commit", async (t) => {
  const { kube, ns } = await testSetup(t, "shared");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
    "apps/cm.yaml": configMapYaml("settings", ns, { v: "1" }),
  });
  t.after(() => repo.remove());
  const opts = { kube, url: repo.dir, ref: { branch: "main" }, path: "clusters/c", namespace: ns, cacheDir: mkdtempSync(join(tmpdir(), "plumbline-shared-")), events: () => {} };
  t.after(() => rmSync(opts.cacheDir, { recursive: true, force: true }));
  const state = newEngineState(kube, opts.cacheDir, opts.events);
  await sync(opts, state);
  execFileSync("kubectl", ["scale", "deployment/web", "-n", ns, "--replicas=4"], { env: { ...process.env, KUBECONFIG: testKubeconfig() }, stdio: "pipe" });
  const corrected = await sync(opts, state);
  assert.equal(corrected.kustomizations.find((k) => k.name === "app")?.changes.configured, 1);
  assert.equal(((await kube.get("apps/v1", "Deployment", ns, "web"))?.["spec"] as { replicas: number }).replicas, 1);
  await repo.commit({ "apps/cm.yaml": null });
  const pruned = await sync(opts, state);
  assert.equal(pruned.kustomizations.find((k) => k.name === "app")?.changes.deleted, 1);
  assert.equal(await kube.get("v1", "ConfigMap", ns, "settings"), undefined);
});

test("a first apply the server rejects an object of keeps what it created in the inventory, and prune removes it once Git drops it", async (t) => {
  const { kube, ns } = await testSetup(t, "newfail");
  const badCm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: ${ns}\ndata:\n  n: 1\n`;
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/secret.yaml": `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: ${ns}\nstringData:\n  k: v\n`,
    "apps/bad.yaml": badCm,
    "apps/web.yaml": deploymentYaml("web", ns, 1),
  });
  t.after(() => repo.remove());
  const failed = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  const app = failed.byName("app");
  assert.equal(app.ready, false);
  assert.match(app.message, /ConfigMap\/.*\/bad: create failed: .*data\.n/);
  const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "app");
  const entries = (ks?.["status"] as { inventory?: { entries: { id: string }[] } }).inventory?.entries.map((e) => e.id) ?? [];
  assert.ok(entries.includes(`${ns}_creds__Secret`), `the created Secret is in the inventory: ${JSON.stringify(entries)}`);
  // the Deployment, created only if its create was already in flight when the ConfigMap failed: in the inventory exactly when it exists
  assert.equal(entries.includes(`${ns}_web_apps_Deployment`), (await kube.get("apps/v1", "Deployment", ns, "web")) !== undefined);
  assert.ok(!entries.some((e) => e.includes("_bad_")), "the rejected ConfigMap is not");

  // Git drops the Secret and fixes the ConfigMap: the next sync prunes the Secret it created
  await repo.commit({ "apps/secret.yaml": null, "apps/bad.yaml": badCm.replace("n: 1", 'n: "1"') });
  const fixed = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(fixed.byName("app").ready, true, fixed.byName("app").message);
  assert.equal(fixed.byName("app").changes.deleted, 1);
  assert.equal(await kube.get("v1", "Secret", ns, "creds"), undefined);
  assert.ok(await kube.get("apps/v1", "Deployment", ns, "web"));
});

test("a one-shot sync creates with metadata-only answers, except for a Kustomization that waits for health (it reads them)", async (t) => {
  const { kube, ns } = await testSetup(t, "oneshot");
  const repo = await createRepo({
    "clusters/c/plain.yaml": kustomizationYaml("plain", ns, "./plain"),
    "clusters/c/waits.yaml": kustomizationYaml("waits", ns, "./waits", "  wait: true\n  timeout: 60s\n"),
    "plain/cm.yaml": configMapYaml("plain-cm", ns, { a: "1" }),
    "waits/cm.yaml": configMapYaml("waits-cm", ns, { a: "1" }),
  });
  t.after(() => repo.remove());
  const applies: string[] = [];
  const original = kube.http.request.bind(kube.http);
  kube.http.request = (method, path, opts) => {
    if (method === "PATCH" && path.includes("/configmaps/") && !path.includes("dryRun")) applies.push(`${path.split("?")[0]?.split("/").pop()}${opts?.accept?.includes("PartialObjectMetadata") ? " (metadata)" : ""}`);
    return original(method, path, opts);
  };
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns, oneShot: true });
  assert.ok(run.kustomizations.every((k) => k.ready), JSON.stringify(run.kustomizations.map((k) => [k.name, k.message])));
  assert.deepEqual(applies.sort(), ["plain-cm (metadata)", "waits-cm"]);
  assert.deepEqual((await kube.get("v1", "ConfigMap", ns, "plain-cm"))?.["data"], { a: "1" });
});
