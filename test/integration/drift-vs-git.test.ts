/**
 * Drift is the cluster diverging from what we last applied; a new commit is configuration. A change from Git is
 * reported as a configured object (no drift line, no DriftCorrected Event); a change made in the cluster is
 * drift, with its field, live and Git values, and the manager and time managedFields record.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import type { KubeObject } from "../../src/core/object-ref.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { plumb, type CliRun } from "../support/cli.ts";
import { createRepo, type TestRepo } from "../support/git-repo.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { configMapYaml, deploymentYaml, kustomizationYaml } from "../support/engine.ts";

interface ClusterEvent { reason?: string; type?: string; message?: string; involvedObject?: { name?: string } }

async function driftEvents(kube: KubeClient, ns: string): Promise<ClusterEvent[]> {
  const events = (await kube.list("v1", "Event", { namespace: ns })).items as ClusterEvent[];
  return events.filter((e) => e.reason === "DriftCorrected");
}

/** Runs real kubectl against the test cluster (`kubectl edit` with a non-interactive editor, `kubectl patch`). */
function kubectl(args: string[], editor?: string): void {
  execFileSync("kubectl", args, { env: { ...process.env, KUBECONFIG: testKubeconfig(), ...(editor ? { KUBE_EDITOR: editor } : {}) }, stdio: "pipe" });
}

async function fieldTime(kube: KubeClient, ns: string, name: string, manager: string): Promise<string> {
  const live = await kube.get("v1", "ConfigMap", ns, name);
  const time = live?.metadata.managedFields?.find((m) => m.manager === manager)?.time;
  assert.ok(time, `${manager} holds a field of ConfigMap ${name}: ${JSON.stringify(live?.metadata.managedFields)}`);
  return time;
}

async function setup(t: Parameters<typeof testSetup>[0]): Promise<{ kube: KubeClient; ns: string; repo: TestRepo; sync: () => Promise<CliRun> }> {
  const { kube, ns, dir } = await testSetup(t, "dvg");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue", mode: "normal", size: "1Gi" }),
  });
  t.after(() => repo.remove());
  const sync = async (): Promise<CliRun> => {
    const r = await plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(dir, "cache"), "-v");
    assert.equal(r.code, 0, r.out + r.err);
    return r;
  };
  await sync();
  return { kube, ns, repo, sync };
}

const data = async (kube: KubeClient, ns: string): Promise<Record<string, string>> => ((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] ?? {}) as Record<string, string>;

test("a Git commit changing a ConfigMap value is a configured object: no drift line, no DriftCorrected Event", async (t) => {
  const { kube, ns, repo, sync } = await setup(t);
  await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { color: "green", mode: "normal", size: "2Gi", tier: "gold" }) });
  const r = await sync();
  assert.match(r.out, new RegExp(`${ns}/app +\\S+ +0 +1 +`), "app: 1 configured");
  assert.doesNotMatch(r.err, /⚠|drift/, r.err);
  // -v lists the fields Git changed under the configured object
  assert.match(r.err, new RegExp(`configured ConfigMap/${ns}/settings\\n      data.color: blue -> green\\n`));
  assert.match(r.err, /data\.tier: <absent> -> gold/);
  assert.deepEqual(await driftEvents(kube, ns), []);
  assert.deepEqual(await data(kube, ns), { color: "green", mode: "normal", size: "2Gi", tier: "gold" });
});

test("a kubectl edit is drift: field, live and Git values, manager and time, a Warning DriftCorrected Event, and reverted", async (t) => {
  const { kube, ns, sync } = await setup(t);
  kubectl(["edit", "configmap/settings", "-n", ns], "sed -i -e s/mode:\\ normal$/mode:\\ debug/");
  assert.equal((await data(kube, ns))["mode"], "debug");
  const editedAt = await fieldTime(kube, ns, "settings", "kubectl-edit");

  const r = await sync();
  assert.match(r.err, new RegExp(`⚠ drift ConfigMap/${ns}/settings \\(${ns}/app\\): changed in the cluster, corrected to Git:\\n    data.mode: live debug -> git normal   \\[last written by kubectl-edit at ${editedAt}\\]\\n`), r.err);
  assert.doesNotMatch(r.err, /data\.color|data\.size/, "fields nobody changed are not reported");
  const events = await driftEvents(kube, ns);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0]?.type, "Warning");
  assert.equal(events[0]?.involvedObject?.name, "app");
  assert.equal(events[0]?.message, `ConfigMap/${ns}/settings: data.mode: live debug (last written by kubectl-edit at ${editedAt}) -> git normal`);
  assert.equal((await data(kube, ns))["mode"], "normal");

  // a key removed in the cluster (the revision is unchanged since the last apply) is drift too
  kubectl(["patch", "configmap/settings", "-n", ns, "--type", "json", "-p", '[{"op":"remove","path":"/data/size"}]']);
  const removed = await sync();
  assert.match(removed.err, /data\.size: live <absent> -> git 1Gi {3}\[removed in the cluster\]/, removed.err);
  assert.equal((await driftEvents(kube, ns)).length, 2);
  assert.equal((await data(kube, ns))["size"], "1Gi");
});

test("a commit and a kubectl patch reaching one sync: the Git change is configured, only the cluster's change is drift", async (t) => {
  const { kube, ns, repo, sync } = await setup(t);
  await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { color: "green", mode: "normal", size: "1Gi", tier: "gold" }) });
  kubectl(["patch", "configmap/settings", "-n", ns, "--type", "merge", "-p", '{"data":{"mode":"debug"}}']);
  const patchedAt = await fieldTime(kube, ns, "settings", "kubectl-patch");

  const r = await sync();
  const driftBlock = /⚠ drift [^\n]*\n( {4}[^\n]*\n)*/.exec(r.err)?.[0] ?? "";
  assert.equal(driftBlock, `⚠ drift ConfigMap/${ns}/settings (${ns}/app): changed in the cluster, corrected to Git:\n    data.mode: live debug -> git normal   [last written by kubectl-patch at ${patchedAt}]\n`, r.err);
  assert.match(r.err, / {6}data\.color: blue -> green\n/, "the Git change is listed with the configured object");
  assert.match(r.err, / {6}data\.tier: <absent> -> gold\n/, "a key new in Git is no removal in the cluster");
  const events = await driftEvents(kube, ns);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.match(events[0]?.message ?? "", /data\.mode: live debug \(last written by kubectl-patch at /);
  assert.doesNotMatch(events[0]?.message ?? "", /color|tier/, "the Git changes are not in the drift Event");
  assert.deepEqual(await data(kube, ns), { color: "green", mode: "normal", size: "1Gi", tier: "gold" });

  // plumb diff says the same before a sync: a Git change as a field line, the cluster's change as drift
  await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { color: "red", mode: "normal", size: "1Gi", tier: "gold" }) });
  kubectl(["patch", "configmap/settings", "-n", ns, "--type", "merge", "-p", '{"data":{"size":"5Gi"}}']);
  const diff = await plumb("diff", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns);
  assert.equal(diff.code, 1, diff.out + diff.err);
  assert.match(diff.out, new RegExp(`  ~ ConfigMap/${ns}/settings \\(configured\\)\\n {6}data.color: green -> red {3}\\[changed in Git\\]\\n {6}⚠ drift data.size: live 5Gi -> git 1Gi {3}\\[last written by kubectl-patch at `), diff.out);
});

test("kubectl scale of a Deployment is drift (recorded or not, as the server keeps it); a new image from Git next is configured", async (t) => {
  const { kube, ns, dir } = await testSetup(t, "dvgscale");
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/web.yaml": deploymentYaml("web", ns, 2) });
  t.after(() => repo.remove());
  const sync = async (): Promise<CliRun> => {
    const r = await plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(dir, "cache"), "-v");
    assert.equal(r.code, 0, r.out + r.err);
    return r;
  };
  const live = async (): Promise<KubeObject | undefined> => kube.get("apps/v1", "Deployment", ns, "web");
  await sync();
  kubectl(["scale", "deployment/web", "-n", ns, "--replicas=7"]);
  // Kubernetes 1.22 and later record the write through /scale as kubectl-scale; 1.20 records nothing and leaves
  // spec.replicas with our entry, so only "Git has not changed since the last apply" tells it was the cluster
  // (the manager's name is the client's: kubectl-scale from kubectl 1.22, plain kubectl from an older kubectl)
  const scaledBy = (await live())?.metadata.managedFields?.find((m) => m.manager === "kubectl-scale" || m.subresource === "scale");
  const writer = scaledBy ? `last written by ${scaledBy.manager ?? ""}${scaledBy.time ? ` at ${scaledBy.time}` : ""}` : "changed in the cluster, no field manager recorded";

  const r = await sync();
  const driftBlock = /⚠ drift [^\n]*\n( {4}[^\n]*\n)*/.exec(r.err)?.[0] ?? "";
  assert.equal(driftBlock, `⚠ drift Deployment/${ns}/web (${ns}/app): changed in the cluster, corrected to Git:\n    spec.replicas: live 7 -> git 2   [${writer}]\n`, r.err);
  assert.equal((await driftEvents(kube, ns)).length, 1);
  assert.equal((((await live())?.["spec"]) as { replicas: number }).replicas, 2);

  await repo.commit({ "apps/web.yaml": deploymentYaml("web", ns, 2).replace("web:1.0", "web:1.1") });
  const next = await sync();
  assert.doesNotMatch(next.err, /⚠/, next.err);
  assert.match(next.err, /containers\[0\]\.image: registry\.example\/web:1\.0 -> registry\.example\/web:1\.1\n/, next.err);
  assert.equal((await driftEvents(kube, ns)).length, 1, "no DriftCorrected Event for the commit");
  const spec = (await live())?.["spec"] as { replicas: number; template: { spec: { containers: { image: string }[] } } };
  assert.deepEqual([spec.replicas, spec.template.spec.containers[0]?.image], [2, "registry.example/web:1.1"]);
});
