import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { createRepo } from "../support/git-repo.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml, syncOnce } from "../support/engine.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";

const annotated = (name: string, ns: string, data: Record<string, string>, annotations: Record<string, string>): string =>
  configMapYaml(name, ns, data).replace(`  namespace: ${ns}\n`, `  namespace: ${ns}\n  annotations:\n${Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"`).join("\n")}\n`);

test("per-object annotations: reconcile disabled (in Git or in the cluster), ssa IfNotPresent, Ignore and Merge, prune disabled", async (t) => {
  const { kube, ns } = await testSetup(t, "policy");
  const K = "kustomize.toolkit.fluxcd.io";
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/disabled.yaml": annotated("disabled", ns, { v: "git" }, { [`${K}/reconcile`]: "disabled" }),
    "apps/ignored.yaml": annotated("ignored", ns, { v: "git" }, { [`${K}/ssa`]: "Ignore" }),
    "apps/once.yaml": annotated("once", ns, { v: "git" }, { [`${K}/ssa`]: "IfNotPresent" }),
    "apps/merged.yaml": annotated("merged", ns, { v: "git" }, { [`${K}/ssa`]: "Merge" }),
    "apps/kept.yaml": annotated("kept", ns, { v: "git" }, { [`${K}/prune`]: "disabled" }),
    "apps/paused.yaml": configMapYaml("paused", ns, { v: "git" }),
  });
  t.after(() => repo.remove());
  const data = async (name: string): Promise<Record<string, string> | undefined> => (await kube.get("v1", "ConfigMap", ns, name))?.["data"] as Record<string, string> | undefined;
  const kubectl = (...args: string[]): string => execFileSync("kubectl", ["--kubeconfig", testKubeconfig(), "-n", ns, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  const first = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(first.byName("app").ready, true, first.byName("app").message);
  assert.equal(await data("disabled"), undefined, "reconcile: disabled in Git is never applied");
  assert.equal(await data("ignored"), undefined, "ssa: Ignore is never applied");
  for (const n of ["once", "merged", "kept", "paused"]) assert.deepEqual(await data(n), { v: "git" }, n);

  // manual changes
  kubectl("patch", "configmap", "once", "--type=merge", "-p", JSON.stringify({ data: { v: "manual" } }));
  kubectl("patch", "configmap", "merged", "--type=merge", "-p", JSON.stringify({ data: { v: "manual", extra: "kept-by-merge" } }));
  kubectl("annotate", "configmap", "paused", `${K}/reconcile=disabled`);
  kubectl("patch", "configmap", "paused", "--type=merge", "-p", JSON.stringify({ data: { v: "manual" } }));

  const second = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(second.byName("app").ready, true, second.byName("app").message);
  assert.deepEqual(await data("once"), { v: "manual" }, "IfNotPresent leaves an existing object alone");
  assert.deepEqual(await data("merged"), { v: "git", extra: "kept-by-merge" }, "Merge restores Git's fields and keeps fields others own");
  assert.deepEqual(await data("paused"), { v: "manual" }, "reconcile: disabled on the live object stops corrections");

  // removed from Git: prune skips `prune: disabled` and the live-disabled object, deletes the rest
  await repo.commit({ "apps/kept.yaml": null, "apps/paused.yaml": null, "apps/once.yaml": null });
  const third = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(third.byName("app").ready, true, third.byName("app").message);
  assert.deepEqual(await data("kept"), { v: "git" });
  assert.deepEqual(await data("paused"), { v: "manual" });
  assert.equal(await data("once"), undefined, "an object without an opt-out is pruned");
});

test("postBuild substitution reads ConfigMaps and Secrets from the cluster; an unset variable fails naming it and deletes nothing", async (t) => {
  const { kube, ns } = await testSetup(t, "subst");
  await kube.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cluster-vars", namespace: ns }, data: { region: "eu-west-1" } });
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "cluster-secrets", namespace: ns }, stringData: { token_prefix: "tp" } });
  const postBuild = `  postBuild:
    substitute:
      cluster_env: production
    substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
    - kind: Secret
      name: cluster-secrets
    - kind: ConfigMap
      name: not-there
      optional: true
`;
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", postBuild),
    "apps/cm.yaml": configMapYaml("settings", ns, { env: "${cluster_env}", region: "${region}", prefix: "${token_prefix}", size: "${size:=small}", literal: "$${region}" }),
  });
  t.after(() => repo.remove());
  const first = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(first.byName("app").ready, true, first.byName("app").message);
  assert.deepEqual((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"], { env: "production", region: "eu-west-1", prefix: "tp", size: "small", literal: "${region}" });

  await repo.commit({ "apps/cm.yaml": configMapYaml("settings", ns, { env: "${cluster_env}", zone: "${zone}" }) });
  const failed = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(failed.byName("app").ready, false);
  assert.equal(failed.byName("app").reason, "BuildFailed");
  assert.match(failed.byName("app").message, /zone/);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] as Record<string, string>)["region"], "eu-west-1", "nothing changed or deleted");
});

test("a dependsOn naming a missing Kustomization fails naming it; its dependents wait", async (t) => {
  const { kube, ns } = await testSetup(t, "missing");
  const repo = await createRepo({
    "clusters/c/apps.yaml": kustomizationYaml("apps", ns, "./apps", "  dependsOn:\n  - name: infrastructure\n"),
    "apps/cm.yaml": configMapYaml("apps", ns, { a: "1" }),
  });
  t.after(() => repo.remove());
  const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  assert.equal(run.byName("apps").ready, false);
  assert.equal(run.byName("apps").reason, "DependencyNotReady");
  assert.match(run.byName("apps").message, new RegExp(`${ns}/infrastructure`));
  assert.equal(await kube.get("v1", "ConfigMap", ns, "apps"), undefined);
});

test("an unreachable Git remote fails the source and deletes nothing", async (t) => {
  const { kube, ns, dir: root } = await testSetup(t, "gone");
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("kept", ns, { a: "1" }) });
  t.after(() => repo.remove());
  await repo.publish(root, "fleet.git");
  const server = await startGitHttpServer({ root });
  const url = `${server.url}/fleet.git`;
  const ok = await syncOnce(kube, { url, path: "clusters/c", namespace: ns });
  assert.equal(ok.byName("app").ready, true, ok.byName("app").message);
  await server.stop();

  const down = await syncOnce(kube, { url, path: "clusters/c", namespace: ns });
  assert.equal(down.byName("flux-system").ready, false);
  assert.equal(down.byName("flux-system").reason, "ArtifactFailed");
  assert.match(down.byName("flux-system").message, /127\.0\.0\.1|unable to access|connect/i);
  assert.ok(await kube.get("v1", "ConfigMap", ns, "kept"), "objects stay when the source is unavailable");
  const source = await kube.get("source.toolkit.fluxcd.io/v1", "GitRepository", ns, "flux-system");
  const ready = ((source?.["status"] as { conditions?: { type: string; status: string }[] }).conditions ?? []).find((c) => c.type === "Ready");
  assert.equal(ready?.status, "False");
});
