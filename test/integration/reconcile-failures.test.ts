/**
 * Every reconcile failure reaches the Kustomization's status (Ready=False with its reason) and the printed table
 * (`✖ ns/name Reason: message`) before `plumb sync` exits 1: an error thrown inside a reconcile (an unparsable
 * inventory id), a missing dependsOn target, an unclosed `${var` in substituted text. RBAC names holding `_` and `:`
 * apply, prune and re-sync without wedging.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { KUSTOMIZATION_API_VERSION } from "../../src/core/flux-api.ts";
import type { KubeObject } from "../../src/core/object-ref.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { plumb, type CliRun } from "../support/cli.ts";
import { createRepo, type FileMap, type TestRepo } from "../support/git-repo.ts";
import { testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";

interface Condition { type: string; status: string; reason?: string; message?: string }
interface Status { conditions?: Condition[]; inventory?: { entries: { id: string; v: string }[] } }

async function statusOf(kube: KubeClient, ns: string, name: string): Promise<Status> {
  return ((await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, name))?.["status"] ?? {}) as Status;
}
const ready = (s: Status): Condition | undefined => s.conditions?.find((c) => c.type === "Ready");

/** uid and resourceVersion of each object: equal before and after means nothing was written. */
async function stamps(kube: KubeClient, objects: [apiVersion: string, kind: string, ns: string | undefined, name: string][]): Promise<string[]> {
  return Promise.all(objects.map(async ([a, k, n, name]) => {
    const o: KubeObject | undefined = await kube.get(a, k, n, name);
    return `${k}/${name} ${o?.metadata.uid ?? "absent"} ${o?.metadata.resourceVersion ?? ""}`;
  }));
}

async function setup(t: TestContext, prefix: string, files: (ns: string) => FileMap): Promise<{ kube: KubeClient; ns: string; repo: TestRepo; sync: () => Promise<CliRun> }> {
  const { kube, ns, dir } = await testSetup(t, prefix);
  const repo = await createRepo(files(ns));
  t.after(() => repo.remove());
  const sync = (): Promise<CliRun> => plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(dir, "cache"));
  return { kube, ns, repo, sync };
}

const ok = (r: CliRun): void => assert.equal(r.code, 0, r.out + r.err);

test("an unparsable id hand-written into status.inventory fails the reconcile: Ready=False with its reason in status and table, nothing pruned, the next sync recovers", async (t) => {
  const { kube, ns, sync } = await setup(t, "badinv", (ns) => ({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue" }),
    "apps/limits.yaml": configMapYaml("limits", ns, { memory: "1Gi" }),
  }));
  ok(await sync());
  const before = await statusOf(kube, ns, "app");
  assert.equal(before.inventory?.entries.length, 2);
  const entries = [...(before.inventory?.entries ?? []), { id: "hand-edited", v: "v1" }];
  await kube.patch(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "app", { status: { inventory: { entries } } }, "application/merge-patch+json", "status");
  const objects: Parameters<typeof stamps>[1] = [["v1", "ConfigMap", ns, "settings"], ["v1", "ConfigMap", ns, "limits"]];
  const stamped = await stamps(kube, objects);

  const failed = await sync();
  assert.equal(failed.code, 1, failed.out + failed.err);
  assert.match(failed.out, new RegExp(`${ns}/app .* False \\(ReconciliationFailed\\)`));
  assert.match(failed.out, new RegExp(`\\n✖ ${ns}/app ReconciliationFailed: status\\.inventory held "hand-edited", not <namespace>_<name>_<group>_<kind>: nothing was pruned`));
  const s = ready(await statusOf(kube, ns, "app"));
  assert.deepEqual([s?.status, s?.reason], ["False", "ReconciliationFailed"]);
  assert.match(s?.message ?? "", /"hand-edited"/);
  assert.deepEqual(await stamps(kube, objects), stamped, "nothing written, nothing pruned");

  const recovered = await sync();
  ok(recovered);
  const after = await statusOf(kube, ns, "app");
  assert.equal(ready(after)?.status, "True");
  assert.deepEqual(after.inventory?.entries.map((e) => e.id).sort(), [`${ns}_limits__ConfigMap`, `${ns}_settings__ConfigMap`]);
});

test("an error thrown late in a reconcile (a timeout the schema admits but no duration can hold) reaches status and the table", async (t) => {
  const { kube, ns, repo, sync } = await setup(t, "throws", (ns) => ({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue" }),
  }));
  ok(await sync());
  assert.equal(ready(await statusOf(kube, ns, "app"))?.status, "True");
  // matches Flux's duration pattern, overflows when read: the reconcile throws after its apply
  const timeout = `${"9".repeat(400)}h`;
  await repo.commit({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", `  timeout: "${timeout}"\n`) });
  const failed = await sync();
  assert.equal(failed.code, 1, failed.out + failed.err);
  assert.match(failed.out, new RegExp(`\\n✖ ${ns}/app ReconciliationFailed: invalid duration "9{400}h"\\n`), failed.out);
  const s = ready(await statusOf(kube, ns, "app"));
  assert.deepEqual([s?.status, s?.reason, s?.message], ["False", "ReconciliationFailed", `invalid duration "${timeout}"`]);

  await repo.commit({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  timeout: 2m\n") });
  ok(await sync());
  assert.equal(ready(await statusOf(kube, ns, "app"))?.status, "True");
});

test("a Role team_reader, a RoleBinding ci:team_reader and a ClusterRole system:metrics:reader apply, re-sync and prune without wedging", async (t) => {
  const clusterRole = "system:metrics:reader";
  const rbac = (ns: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: team_reader
  namespace: ${ns}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ci:team_reader
  namespace: ${ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: team_reader
subjects:
- kind: ServiceAccount
  name: default
  namespace: ${ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${clusterRole}
rules:
- nonResourceURLs: [/metrics]
  verbs: [get]
`;
  const { kube, ns, repo, sync } = await setup(t, "rbacid", (ns) => ({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/rbac.yaml": rbac(ns),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue" }),
  }));
  t.after(async () => {
    await kube.delete("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, clusterRole).catch(() => undefined);
  });
  const RBAC = "rbac.authorization.k8s.io";
  ok(await sync());
  const ids = (await statusOf(kube, ns, "app")).inventory?.entries.map((e) => e.id) ?? [];
  // as Flux writes them: `:` in an RBAC name as `__`
  for (const id of [`${ns}_team_reader_${RBAC}_Role`, `${ns}_ci__team_reader_${RBAC}_RoleBinding`, `_system__metrics__reader_${RBAC}_ClusterRole`]) assert.ok(ids.includes(id), `${id} in ${ids.join(", ")}`);

  const again = await sync();
  ok(again);
  assert.match(again.out, new RegExp(`${ns}/app +\\S+ +0 +0 +4 +0 +0 +True`), again.out);

  await repo.commit({ "apps/rbac.yaml": null });
  const pruned = await sync();
  ok(pruned);
  assert.match(pruned.out, new RegExp(`${ns}/app +\\S+ +0 +0 +1 +3 +0 +True`), pruned.out);
  assert.equal(await kube.get(`${RBAC}/v1`, "Role", ns, "team_reader"), undefined);
  assert.equal(await kube.get(`${RBAC}/v1`, "RoleBinding", ns, "ci:team_reader"), undefined);
  assert.equal(await kube.get(`${RBAC}/v1`, "ClusterRole", undefined, clusterRole), undefined);
  ok(await sync());
  assert.deepEqual((await statusOf(kube, ns, "app")).inventory?.entries.map((e) => e.id), [`${ns}_settings__ConfigMap`]);
});

test("a missing dependsOn target: exit 1, the reason printed in table mode, and Ready=False DependencyNotReady written before the command returns", async (t) => {
  const { kube, ns, sync } = await setup(t, "depmiss", (ns) => ({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  dependsOn:\n  - name: database\n"),
    "clusters/c/web.yaml": kustomizationYaml("web", ns, "./web"),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue" }),
    "web/page.yaml": configMapYaml("page", ns, { title: "home" }),
  }));
  const r = await sync();
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, new RegExp(`${ns}/app .* False \\(DependencyNotReady\\)`));
  assert.match(r.out, new RegExp(`\\n✖ ${ns}/app DependencyNotReady: dependency Kustomization '${ns}/database' not found\\n`), r.out);
  assert.doesNotMatch(r.out, new RegExp(`✖ ${ns}/web`), "the Kustomization without the dependency is not a failure");
  // read at once: the status write was awaited before sync returned
  const s = ready(await statusOf(kube, ns, "app"));
  assert.deepEqual([s?.status, s?.reason, s?.message], ["False", "DependencyNotReady", `dependency Kustomization '${ns}/database' not found`]);
  assert.equal(ready(await statusOf(kube, ns, "web"))?.status, "True");
  assert.equal(await kube.get("v1", "ConfigMap", ns, "settings"), undefined, "nothing of app applied");
  assert.ok(await kube.get("v1", "ConfigMap", ns, "page"));
});

test("an unclosed ${var in postBuild-substituted text fails the build naming the object, changes nothing, and the next good commit applies", async (t) => {
  const substitute = "  postBuild:\n    substitute:\n      name: world\n      tier: gold\n";
  const { kube, ns, repo, sync } = await setup(t, "subst", (ns) => ({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", substitute),
    "apps/greeting.yaml": configMapYaml("greeting", ns, { text: "hello ${name}" }),
    "apps/settings.yaml": configMapYaml("settings", ns, { tier: "${tier}", color: "blue" }),
  }));
  ok(await sync());
  const data = async (name: string): Promise<Record<string, string> | undefined> => (await kube.get("v1", "ConfigMap", ns, name))?.["data"] as Record<string, string> | undefined;
  assert.deepEqual(await data("greeting"), { text: "hello world" });
  const objects: Parameters<typeof stamps>[1] = [["v1", "ConfigMap", ns, "greeting"], ["v1", "ConfigMap", ns, "settings"], ["v1", "ConfigMap", ns, "banner"]];
  const stamped = await stamps(kube, objects);

  // the bad object, a change to another and a new one in the same commit: none of it is applied
  await repo.commit({
    "apps/greeting.yaml": configMapYaml("greeting", ns, { text: "hello ${name" }),
    "apps/settings.yaml": configMapYaml("settings", ns, { tier: "${tier}", color: "green" }),
    "apps/banner.yaml": configMapYaml("banner", ns, { text: "welcome" }),
  });
  const failed = await sync();
  assert.equal(failed.code, 1, failed.out + failed.err);
  assert.match(failed.out, new RegExp(`\\n✖ ${ns}/app BuildFailed: (postBuild substitution: )?ConfigMap/${ns}/greeting: variable substitution failed: missing closing brace at "\\$\\{name`), failed.out);
  const s = ready(await statusOf(kube, ns, "app"));
  assert.deepEqual([s?.status, s?.reason], ["False", "BuildFailed"]);
  assert.match(s?.message ?? "", new RegExp(`ConfigMap/${ns}/greeting: .*missing closing brace`));
  assert.deepEqual(await stamps(kube, objects), stamped, "nothing in the cluster changed");
  assert.deepEqual(await data("greeting"), { text: "hello world" }, "the text was not applied literally");

  await repo.commit({ "apps/greeting.yaml": configMapYaml("greeting", ns, { text: "hello ${name}, ${tier} member" }) });
  ok(await sync());
  assert.deepEqual(await data("greeting"), { text: "hello world, gold member" });
  assert.deepEqual(await data("settings"), { tier: "gold", color: "green" });
  assert.deepEqual(await data("banner"), { text: "welcome" });
});
