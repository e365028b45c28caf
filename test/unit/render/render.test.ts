import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { BuildError, PlumbError } from "../../../src/core/errors.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import type { Decryptor } from "../../../src/render/decryptor.ts";
import { render, type RenderInput } from "../../../src/render/render.ts";
import { renderTestDirs } from "./helpers.ts";

const { tmp: TMP, tree, countingKustomize } = renderTestDirs("plumbline-render-test-");

const cm = (name: string, data: Record<string, string>): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join("\n")}\n`;

const spec = (path: string, extra: Partial<KustomizationSpec> = {}): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" }, ...extra });
const owner = { name: "apps", namespace: "flux-system" };
const names = (objs: KubeObject[]): string[] => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const renderDirsLeft = (): string[] => readdirSync(TMP).filter((n) => n.startsWith("plumbline-render-") && !n.startsWith("plumbline-render-test"));

test("kustomize's output is reused for the same artifact digest and build inputs; substitution and labels still apply per render", async () => {
  const sourceDir = tree({ "apps/cm.yaml": cm("settings", { env: "${CLUSTER_ENV}" }), "apps/web.yaml": cm("web", { a: "1" }) });
  const cacheDir = join(TMP, "cache-1");
  const k = countingKustomize();
  // directBuild off: these trees need no transformation, and this test is about kustomize's output being cached
  const base: RenderInput = { sourceDir, spec: spec("./apps"), owner, kustomize: k, digest: "sha256:one", cacheDir, directBuild: false };

  const first = await render({ ...base, variables: { CLUSTER_ENV: "test" } });
  assert.equal(first.cached, false);
  assert.equal(k.runs(), 1);
  const second = await render({ ...base, variables: { CLUSTER_ENV: "production" } });
  assert.equal(second.cached, true);
  assert.equal(k.runs(), 1, "kustomize did not run again");
  assert.deepEqual(names(second.objects), names(first.objects));
  const env = (r: { objects: KubeObject[] }): string | undefined => (r.objects.find((o) => o.metadata.name === "settings")?.["data"] as Record<string, string>)["env"];
  assert.equal(env(first), "test");
  assert.equal(env(second), "production");
  assert.equal(second.objects[0]?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "apps");

  const other = await render({ ...base, owner: { name: "other", namespace: "x" }, variables: { CLUSTER_ENV: "a" } });
  assert.equal(other.cached, true);
  assert.equal(other.objects[0]?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "other");

  // a new revision, or a changed build field, runs kustomize again
  assert.equal((await render({ ...base, digest: "sha256:two", variables: { CLUSTER_ENV: "a" } })).cached, false);
  const prefixed = await render({ ...base, spec: spec("./apps", { namePrefix: "p-" }), variables: { CLUSTER_ENV: "a" } });
  assert.equal(prefixed.cached, false);
  assert.deepEqual(names(prefixed.objects), ["ConfigMap/p-settings", "ConfigMap/p-web"]);
  assert.equal(k.runs(), 3);

  // no cache dir or no digest: nothing cached
  const { cacheDir: _cacheDir, ...noCacheDir } = base;
  const { digest: _digest, ...noDigest } = base;
  await render({ ...noCacheDir, variables: { CLUSTER_ENV: "a" } });
  await render({ ...noDigest, variables: { CLUSTER_ENV: "a" } });
  assert.equal(k.runs(), 5);
  assert.deepEqual(renderDirsLeft(), []);
});

test("a corrupt cache entry is a miss, not an error", async () => {
  const sourceDir = tree({ "apps/cm.yaml": cm("settings", { a: "1" }) });
  const cacheDir = join(TMP, "cache-2");
  const k = countingKustomize();
  const input: RenderInput = { sourceDir, spec: spec("./apps"), owner, kustomize: k, digest: "sha256:c", cacheDir, directBuild: false };
  await render(input);
  for (const f of readdirSync(cacheDir)) writeFileSync(join(cacheDir, f), "{ not json");
  const again = await render(input);
  assert.equal(again.cached, false);
  assert.deepEqual(names(again.objects), ["ConfigMap/settings"]);
  assert.equal(k.runs(), 2);
});

test("a render with a decryptor is never cached, and its private copy (with the decrypted input) is removed", async () => {
  const sourceDir = tree({
    "apps/kustomization.yaml": "resources: [cm.yaml]\nsecretGenerator:\n- name: creds\n  namespace: demo\n  envs: [creds.env]\n",
    "apps/cm.yaml": cm("settings", { a: "1" }),
    "apps/creds.env": "TOKEN=ciphertext\n",
  });
  const cacheDir = join(TMP, "cache-3");
  const k = countingKustomize();
  const roots: string[] = [];
  const decryptor: Decryptor = {
    async decryptGeneratorInputs(root) {
      roots.push(root);
      writeFileSync(join(root, "apps/creds.env"), "TOKEN=plaintext-value\n"); // as SOPS does, in place
    },
    async decryptObject(obj) {
      return obj;
    },
  };
  const input: RenderInput = { sourceDir, spec: spec("./apps"), owner, kustomize: k, digest: "sha256:d", cacheDir, decryptor };
  const r1 = await render(input);
  const secret = r1.objects.find((o) => o.kind === "Secret");
  assert.equal(Buffer.from((secret?.["data"] as Record<string, string>)["TOKEN"] ?? "", "base64").toString(), "plaintext-value");
  const r2 = await render(input);
  assert.equal(r2.cached, false);
  assert.equal(k.runs(), 2, "kustomize ran for both renders");
  assert.equal(existsSync(cacheDir) ? readdirSync(cacheDir).length : 0, 0, "nothing written to the render cache");
  assert.equal(new Set(roots).size, 2, "each render decrypts in its own copy");
  for (const root of roots) assert.equal(existsSync(root), false, `${root} removed`);
  assert.equal(readFileSync(join(sourceDir, "apps/creds.env"), "utf8"), "TOKEN=ciphertext\n", "the source is untouched");
  assert.deepEqual(renderDirsLeft(), []);
});

test("concurrent renders of nested paths of one artifact do not see each other's private directories", async () => {
  const sourceDir = tree({
    "apps/a.yaml": cm("a", { x: "1" }),
    "apps/team/kustomization.yaml": "resources: [b.yaml]\n",
    "apps/team/b.yaml": cm("b", { x: "1" }),
  });
  const k = countingKustomize();
  const solo = names((await render({ sourceDir, spec: spec("./apps"), owner, kustomize: k })).objects);
  assert.deepEqual(solo, ["ConfigMap/a", "ConfigMap/b"]);
  const team = Array.from({ length: 8 }, () => render({ sourceDir, spec: spec("./apps/team", { namePrefix: "t-" }), owner, kustomize: k }));
  // the team renders' private directories now sit in apps/ (beside apps/team) of the shared staged copy
  const privateDirs = (): string[] => readdirSync(TMP).filter((n) => n.startsWith("plumbline-stage-")).flatMap((s) => {
    const appsDir = join(TMP, s, "src", "apps");
    return existsSync(appsDir) ? readdirSync(appsDir).filter((n) => n.startsWith(".plumbline-render-")) : [];
  });
  for (let i = 0; i < 500 && privateDirs().length === 0; i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(privateDirs().length > 0, "a team render's private directory exists");
  const apps = Array.from({ length: 3 }, () => render({ sourceDir, spec: spec("./apps"), owner, kustomize: k }));
  for (const r of await Promise.all(apps)) assert.deepEqual(names(r.objects), solo);
  for (const r of await Promise.all(team)) assert.deepEqual(names(r.objects), ["ConfigMap/t-b"]);
});

test("relative paths resolve from spec.path as in the repository: bases, components and patches beside it", async () => {
  const sourceDir = tree({
    "base/kustomization.yaml": "resources: [cm.yaml]\n",
    "base/cm.yaml": cm("settings", { level: "info" }),
    "components/debug/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: patch.yaml\n",
    "components/debug/patch.yaml": cm("settings", { level: "debug" }),
    "overlays/prod/kustomization.yaml": "resources: [../../base, extra.yaml]\n",
    "overlays/prod/extra.yaml": cm("extra", { a: "1" }),
  });
  const r = await render({ sourceDir, spec: spec("./overlays/prod", { components: ["../../components/debug"], targetNamespace: "prod" }), owner });
  assert.deepEqual(names(r.objects), ["ConfigMap/extra", "ConfigMap/settings"]);
  const settings = r.objects.find((o) => o.metadata.name === "settings");
  assert.equal((settings?.["data"] as Record<string, string>)["level"], "debug");
  assert.ok(r.objects.every((o) => o.metadata.namespace === "prod"));
  // the repository root as spec.path
  const root = await render({ sourceDir: tree({ "cm.yaml": cm("top", { a: "1" }) }), spec: spec("./"), owner });
  assert.deepEqual(names(root.objects), ["ConfigMap/top"]);
});

test("kustomize's errors name paths in the repository, not temp directories", async () => {
  const sourceDir = tree({ "apps/kustomization.yaml": "resources: [cm.yaml, sub]\n", "apps/cm.yaml": cm("settings", { a: "1" }), "apps/sub/README.md": "no kustomization here\n" });
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof BuildError, String(err));
    assert.match(err.message, /apps\/sub/);
    assert.doesNotMatch(err.message, /plumbline-|\/tmp\/|render-test/);
    return true;
  });
});

test("a symlink leaving the repository is refused; one inside it is followed", async () => {
  const outside = tree({ "secret.yaml": cm("stolen", { a: "1" }) });
  const bad = tree({ "apps/cm.yaml": cm("settings", { a: "1" }) });
  symlinkSync(join(outside, "secret.yaml"), join(bad, "apps/link.yaml"));
  await assert.rejects(render({ sourceDir: bad, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /outside the repository/.test(err.message));
  const good = tree({ "shared/cm.yaml": cm("shared", { a: "1" }), "apps/own.yaml": cm("own", { a: "1" }) });
  symlinkSync("../shared/cm.yaml", join(good, "apps/linked.yaml"));
  assert.deepEqual(names((await render({ sourceDir: good, spec: spec("./apps"), owner })).objects), ["ConfigMap/own", "ConfigMap/shared"]);
});
