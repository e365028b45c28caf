/**
 * Render safety against the real control plane: a bad commit of each kind fails the Kustomization that renders
 * it with an error naming the file, changes no managed object (ConfigMaps keep uid and resourceVersion;
 * Deployments and Kustomizations, whose status others write, keep uid and generation), prunes nothing, and the
 * next good commit recovers. Issue 11 items 1 (generated kustomization with a file that is not objects), 2
 * (symlinked manifests), 4 (paths leaving the repository) and 13 (error messages).
 */
import assert from "node:assert/strict";
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { KUSTOMIZATION_API_VERSION, OWNER_NAMESPACE_LABEL } from "../../src/core/flux-api.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { testSetup } from "../support/cluster.ts";
import { configMapYaml, deploymentYaml, kustomizationYaml, syncOnce } from "../support/engine.ts";
import { createRepo, type FileMap, type TestRepo } from "../support/git-repo.ts";

/** `Kind/name` -> uid and resourceVersion (ConfigMaps) or uid and generation (kinds whose status others write). */
async function snapshot(kube: KubeClient, ns: string): Promise<Map<string, string>> {
  const snap = new Map<string, string>();
  const kinds: [string, string, "rv" | "generation"][] = [["v1", "ConfigMap", "rv"], ["apps/v1", "Deployment", "generation"], [KUSTOMIZATION_API_VERSION, "Kustomization", "generation"]];
  for (const [apiVersion, kind, field] of kinds) {
    for (const o of (await kube.list(apiVersion, kind, { namespace: ns, labelSelector: `${OWNER_NAMESPACE_LABEL}=${ns}` })).items) {
      snap.set(`${kind}/${o.metadata.name}`, `${o.metadata.uid} ${field === "rv" ? o.metadata.resourceVersion : String(o.metadata.generation)}`);
    }
  }
  return snap;
}

interface BadCase {
  name: string;
  files?: FileMap;
  /** Symlinks to add: path in the repository -> link text. */
  links?: Record<string, string>;
  /** The Kustomization the bad commit fails. */
  fails: string;
  error: RegExp;
}

/** A good tree with a symlinked manifest and a symlinked directory, synced; then every case fails and recovers. */
async function runCases(t: TestContext, prefix: string, casesFor: (ns: string) => BadCase[]): Promise<void> {
  const { kube, ns } = await testSetup(t, prefix);
  const cases = casesFor(ns);
  const good: FileMap = {
    // clusters/c has no kustomization.yaml: a generated kustomization of the two Kustomization manifests
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "clusters/c/infra.yaml": kustomizationYaml("infra", ns, "./infra", `  targetNamespace: ${ns}\n`),
    // apps has none either; two of its manifests are symlinks into shared/
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue", cpu: "2000m" }),
    "apps/web.yaml": deploymentYaml("web", ns, 2),
    "shared/common.yaml": configMapYaml("common", ns, { memory: "1Gi" }),
    "shared/extra/proxy.yaml": configMapYaml("proxy", ns, { port: "http" }),
    "infra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- quota.yaml\nconfigMapGenerator:\n- name: motd\n  files:\n  - motd.txt\n",
    "infra/quota.yaml": configMapYaml("quota", ns, { pods: "10" }),
    "infra/motd.txt": "Welcome\n",
  };
  const goodLinks: Record<string, string> = { "apps/common.yaml": "../shared/common.yaml", "apps/extra": "../shared/extra" };
  const repo = await createRepo(good);
  t.after(() => repo.remove());
  const link = async (r: TestRepo, links: Record<string, string>): Promise<void> => {
    for (const [p, target] of Object.entries(links)) {
      rmSync(join(r.dir, p), { force: true, recursive: true });
      symlinkSync(target, join(r.dir, p));
    }
  };
  await link(repo, goodLinks);
  await repo.commit({}, "symlinked manifests");

  const allReady = async (why: string): Promise<void> => {
    const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
    for (const k of run.kustomizations) assert.ok(k.ready, `${why}: ${k.name}: ${k.reason}: ${k.message}`);
    assert.deepEqual(run.kustomizations.map((k) => k.name).sort(), ["app", "flux-system", "infra"]);
  };
  await allReady("first sync");
  const before = await snapshot(kube, ns);
  // the symlinked manifest and the symlinked directory's manifest are applied (before, they vanished from the artifact)
  const names = [...before.keys()].sort();
  assert.ok(names.includes("ConfigMap/common") && names.includes("ConfigMap/proxy"), names.join(", "));
  assert.ok(names.includes("ConfigMap/settings") && names.includes("Deployment/web") && names.includes("ConfigMap/quota") && names.some((n) => n.startsWith("ConfigMap/motd-")), names.join(", "));

  for (const c of cases) {
    await repo.commit(c.files ?? {}, `bad: ${c.name}`);
    if (c.links) {
      await link(repo, c.links);
      await repo.commit({}, `bad links: ${c.name}`);
    }
    const run = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
    const failed = run.byName(c.fails);
    assert.equal(failed.ready, false, `${c.name}: ${c.fails} should fail`);
    assert.match(failed.message, c.error, c.name);
    assert.doesNotMatch(failed.message, /\/tmp\/|plumbline-stage|[IWEF]\d{4} \d\d:\d\d:\d\d/, `${c.name}: no temp paths or klog headers`);
    assert.deepEqual(await snapshot(kube, ns), before, `${c.name}: nothing changed or pruned`);

    // the next good commit recovers: the case's files back to the good tree, its links removed
    const restore: FileMap = {};
    for (const p of Object.keys(c.files ?? {})) restore[p] = good[p] ?? null;
    for (const p of Object.keys(c.links ?? {})) if (!goodLinks[p]) rmSync(join(repo.dir, p), { force: true, recursive: true });
    await repo.commit(restore, `fix: ${c.name}`);
    await link(repo, goodLinks);
    await repo.commit({}, `fix links: ${c.name}`);
    await allReady(`recovery after ${c.name}`);
    assert.deepEqual(await snapshot(kube, ns), before, `${c.name}: recovery rewrote nothing`);
  }
}

const BOMB = `apiVersion: v1
kind: ConfigMap
metadata:
  name: lol
data:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
`;

test("item 1: a generated kustomization's YAML file that is not entirely objects fails naming it; nothing is pruned", async (t) => {
  await runCases(t, "gen", (ns) => [
    {
      name: "child Kustomization missing kind",
      files: { "clusters/c/infra.yaml": kustomizationYaml("infra", ns, "./infra", `  targetNamespace: ${ns}\n`).replace("kind: Kustomization\n", "") },
      fails: "flux-system",
      error: /clusters\/c\/infra\.yaml: missing kind \(clusters\/c has no kustomization file/,
    },
    {
      name: "apiversion typo",
      files: { "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps").replace("apiVersion:", "apiversion:") },
      fails: "flux-system",
      error: /clusters\/c\/app\.yaml: missing apiVersion/,
    },
    {
      name: "notes that are not objects",
      files: { "apps/notes.yaml": "owner: team-a\nsupport: \"#team-a\"\n" },
      fails: "app",
      error: /apps\/notes\.yaml: missing apiVersion, kind, metadata\.name/,
    },
  ]);
});

test("item 2: in-repository symlinks are applied; one leaving the repository or dangling fails as a symlink; nothing is pruned", async (t) => {
  await runCases(t, "links", () => [
    { name: "manifest linked to a host file", links: { "apps/host.yaml": "/etc/hostname" }, fails: "app", error: /apps\/host\.yaml is a symlink to "\/etc\/hostname", outside the repository/ },
    { name: "manifest linked out by ../", links: { "clusters/c/escape.yaml": "../../../../../../etc/passwd" }, fails: "flux-system", error: /clusters\/c\/escape\.yaml is a symlink to "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd", outside the repository/ },
    { name: "dangling manifest link", links: { "apps/gone.yaml": "../shared/renamed.yaml" }, fails: "app", error: /apps\/gone\.yaml is a symlink to "\.\.\/shared\/renamed\.yaml", which does not exist/ },
    { name: "directory linked outside", links: { "apps/host": "/etc" }, fails: "app", error: /apps\/host is a symlink to "\/etc", outside the repository/ },
  ]);
});

test("item 4: paths of a kustomization leaving the repository are refused, absolute ones despite a decoy; nothing is pruned", async (t) => {
  const infra = (extra: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- quota.yaml\n${extra}`;
  await runCases(t, "confine", () => [
    {
      name: "generator file from the host, decoy in the repository",
      files: { "infra/kustomization.yaml": infra("configMapGenerator:\n- name: motd\n  files:\n  - /etc/hostname\n"), "infra/etc/hostname": "decoy\n" },
      fails: "infra",
      error: /infra\/kustomization\.yaml: configMapGenerator\[0\]\.files "\/etc\/hostname" is an absolute path/,
    },
    {
      name: "resource from the host, decoy in the repository",
      files: { "infra/kustomization.yaml": infra("- /etc/passwd\n"), "infra/etc/passwd": configMapYaml("decoy", "default", { a: "1" }) },
      fails: "infra",
      error: /infra\/kustomization\.yaml: resources "\/etc\/passwd" is an absolute path/,
    },
    {
      name: "secretGenerator envs climbing out",
      files: { "infra/kustomization.yaml": infra("secretGenerator:\n- name: env\n  envs:\n  - ../../../../../../../root/.bashrc\n") },
      fails: "infra",
      error: /infra\/kustomization\.yaml: secretGenerator\[0\]\.envs "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/root\/\.bashrc" leaves the repository/,
    },
    {
      name: "patch through a directory symlink to the host",
      files: { "infra/kustomization.yaml": infra("patches:\n- path: hostfiles/passwd\n") },
      links: { "infra/hostfiles": "/etc" },
      fails: "infra",
      error: /infra\/kustomization\.yaml: patches\[0\]\.path "hostfiles\/passwd": infra\/hostfiles is a symlink to "\/etc", outside the repository/,
    },
  ]);
});

test("item 13: an unclosed quote at its line, an alias bomb and kustomize's own errors name the file, without klog headers", async (t) => {
  await runCases(t, "errmsg", () => [
    {
      name: "unclosed quote",
      files: { "apps/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: \"blue\n  cpu: 2000m\n  memory: 1Gi\n  zone: eu-west-1\n" },
      fails: "app",
      error: /apps\/settings\.yaml:6: invalid YAML: the double-quoted string that starts here is never closed/,
    },
    { name: "alias bomb", files: { "apps/lol.yaml": BOMB }, fails: "app", error: /apps\/lol\.yaml: refused: its YAML aliases expand too far/ },
    {
      name: "kustomize refuses the kustomization",
      files: { "infra/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- quota.yaml\nnamePrefix:\n- not-a-string\n" },
      fails: "infra",
      error: /^infra\/kustomization\.yaml: kustomize build failed: invalid Kustomization: .*namePrefix/,
    },
  ]);
});
