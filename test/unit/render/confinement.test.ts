/**
 * Every file reference a kustomization can hold stays inside the repository: absolute paths are refused even
 * when a decoy exists at the joined path, references through refused symlinks name the symlink, and plugin
 * configurations' own paths are checked too. kustomize never runs for a refused tree (a counting kustomize).
 */
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { BuildError, PlumbError } from "../../../src/core/errors.ts";
import { render } from "../../../src/render/render.ts";
import { renderTestDirs } from "./helpers.ts";

const { tree, countingKustomize } = renderTestDirs("plumbline-confine-test-");

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const spec = (path: string): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } });
const owner = { name: "apps", namespace: "flux-system" };

/** A tree whose apps/kustomization.yaml is `kustomization`, with decoys at every absolute path used joined under apps/. */
const withDecoys = (kustomization: string, extra: Record<string, string> = {}): string =>
  tree({
    "apps/kustomization.yaml": kustomization,
    "apps/cm.yaml": cm("settings"),
    "apps/etc/passwd": cm("decoy"),
    "apps/etc/hostname": "decoy\n",
    "apps/root/.ssh/id_rsa": "decoy\n",
    ...extra,
  });

const refusedAbsolute = (field: RegExp) => (err: Error): boolean => {
  assert.ok(err instanceof PlumbError && err.reason === "InvalidPath", String(err));
  assert.match(err.message, /apps\/kustomization\.yaml/);
  assert.match(err.message, field);
  assert.match(err.message, /absolute path/);
  return true;
};

const ABSOLUTE_CASES: [string, string, RegExp][] = [
  ["resources", "resources: [cm.yaml, /etc/passwd]\n", /resources "\/etc\/passwd"/],
  ["bases", "bases: [/etc]\n", /bases "\/etc"/],
  ["components", "resources: [cm.yaml]\ncomponents: [/etc]\n", /components "\/etc"/],
  ["configMapGenerator files", "configMapGenerator:\n- name: host\n  files: [/etc/hostname]\n", /configMapGenerator\[0\]\.files "\/etc\/hostname"/],
  ["configMapGenerator key=file", "configMapGenerator:\n- name: host\n  files: [h=/etc/hostname]\n", /files "\/etc\/hostname"/],
  ["secretGenerator envs", "secretGenerator:\n- name: key\n  envs: [/root/.ssh/id_rsa]\n", /secretGenerator\[0\]\.envs/],
  ["secretGenerator env", "secretGenerator:\n- name: key\n  env: /root/.ssh/id_rsa\n", /secretGenerator\[0\]\.env "/],
  ["patches", "resources: [cm.yaml]\npatches:\n- path: /etc/passwd\n", /patches\[0\]\.path/],
  ["patchesStrategicMerge", "resources: [cm.yaml]\npatchesStrategicMerge: [/etc/passwd]\n", /patchesStrategicMerge/],
  ["patchesJson6902", "resources: [cm.yaml]\npatchesJson6902:\n- target: {kind: ConfigMap, name: settings, version: v1}\n  path: /etc/passwd\n", /patchesJson6902\[0\]\.path/],
  ["replacements", "resources: [cm.yaml]\nreplacements:\n- path: /etc/passwd\n", /replacements\[0\]\.path/],
  ["configurations", "resources: [cm.yaml]\nconfigurations: [/etc/passwd]\n", /configurations/],
  ["crds", "resources: [cm.yaml]\ncrds: [/etc/passwd]\n", /crds/],
  ["openapi", "resources: [cm.yaml]\nopenapi:\n  path: /etc/passwd\n", /openapi\.path/],
  ["helmCharts valuesFile", "helmCharts:\n- name: x\n  valuesFile: /etc/passwd\n", /helmCharts\[0\]\.valuesFile/],
  ["helmCharts additionalValuesFiles", "helmCharts:\n- name: x\n  additionalValuesFiles: [/etc/passwd]\n", /additionalValuesFiles/],
  ["helmGlobals chartHome", "helmGlobals:\n  chartHome: /etc\n", /helmGlobals\.chartHome/],
  ["transformers", "resources: [cm.yaml]\ntransformers: [/etc/passwd]\n", /transformers "\/etc\/passwd"/],
  ["generators", "generators: [/etc/passwd]\n", /generators "\/etc\/passwd"/],
  ["validators", "resources: [cm.yaml]\nvalidators: [/etc/passwd]\n", /validators "\/etc\/passwd"/],
];

for (const [name, k, field] of ABSOLUTE_CASES) {
  test(`an absolute path in ${name} is refused although a decoy exists at the joined path`, async () => {
    const kustomize = countingKustomize();
    await assert.rejects(render({ sourceDir: withDecoys(k), spec: spec("./apps"), owner, kustomize }), refusedAbsolute(field));
    assert.equal(kustomize.runs(), 0);
  });
}

test("an absolute path in a nested kustomization (a resource directory) is refused too, naming that file", async () => {
  const sourceDir = withDecoys("resources: [cm.yaml, sub]\n", { "apps/sub/kustomization.yaml": "configMapGenerator:\n- name: host\n  files: [/etc/hostname]\n", "apps/sub/etc/hostname": "decoy\n" });
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof PlumbError && err.reason === "InvalidPath", String(err));
    assert.match(err.message, /apps\/sub\/kustomization\.yaml: configMapGenerator\[0\]\.files "\/etc\/hostname" is an absolute path/);
    return true;
  });
});

test("plugin configurations' own paths are checked: a file of configs and an inline one", async () => {
  const transformer = "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\npath: /etc/passwd\n";
  const fromFile = withDecoys("resources: [cm.yaml]\ntransformers: [patch.yaml]\n", { "apps/patch.yaml": transformer });
  await assert.rejects(render({ sourceDir: fromFile, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /transformers \(PatchTransformer\)\.path "\/etc\/passwd" is an absolute path/.test(err.message));
  const generator = "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: g\nfiles: [../../../../etc/hostname]\n";
  const inline = withDecoys(`generators:\n- |\n${generator.split("\n").map((l) => `  ${l}`).join("\n")}\n`);
  await assert.rejects(render({ sourceDir: inline, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /generators \(ConfigMapGenerator\)\.files "\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname" leaves the repository/.test(err.message));
});

test("a relative path leaving the repository is refused", async () => {
  const sourceDir = withDecoys("configMapGenerator:\n- name: host\n  files: [../../../../../../etc/hostname]\n");
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /leaves the repository/.test(err.message));
});

test("a reference to a symlink leaving the repository is reported as that symlink, with where it points", async () => {
  const outside = tree({ "hostname": "host-secret\n" });
  const sourceDir = withDecoys("resources: [cm.yaml]\nconfigMapGenerator:\n- name: host\n  files: [data/hostname]\n");
  symlinkSync(outside, join(sourceDir, "apps/data"));
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof PlumbError && err.reason === "InvalidPath", String(err));
    assert.match(err.message, /apps\/kustomization\.yaml: configMapGenerator\[0\]\.files "data\/hostname": apps\/data is a symlink to "[^"]+", outside the repository/);
    assert.doesNotMatch(err.message, /not found/);
    return true;
  });
});

test("a dangling symlink used by a kustomization names the symlink", async () => {
  const sourceDir = withDecoys("resources: [cm.yaml, gone.yaml]\n");
  symlinkSync("missing.yaml", join(sourceDir, "apps/gone.yaml"));
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => err instanceof BuildError && /apps\/gone\.yaml is a symlink to "missing\.yaml", which does not exist/.test(err.message));
});

test("spec.path through a symlink leaving the repository says so", async () => {
  const outside = tree({ "cm.yaml": cm("stolen") });
  const sourceDir = tree({ "apps/cm.yaml": cm("own") });
  symlinkSync(outside, join(sourceDir, "clusters"));
  await assert.rejects(render({ sourceDir, spec: spec("./clusters"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /spec\.path "\.\/clusters": clusters is a symlink to/.test(err.message));
});

test("a symlinked directory inside the repository is materialized; a link chain leaving it is refused", async () => {
  const sourceDir = tree({ "shared/a.yaml": cm("shared-a"), "apps/own.yaml": cm("own") });
  symlinkSync("../shared", join(sourceDir, "apps/common"));
  const r = await render({ sourceDir, spec: spec("./apps"), owner });
  assert.deepEqual(r.objects.map((o) => o.metadata.name).sort(), ["own", "shared-a"]);
  const outside = tree({ "x.yaml": cm("stolen") });
  const chain = tree({ "apps/own.yaml": cm("own") });
  symlinkSync(join(outside, "x.yaml"), join(chain, "hop.yaml"));
  symlinkSync("../hop.yaml", join(chain, "apps/x.yaml"));
  await assert.rejects(render({ sourceDir: chain, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /apps\/x\.yaml is a symlink to "\.\.\/hop\.yaml", outside the repository/.test(err.message));
});

test("a symlink to a directory holding it is a loop: not copied forever, and a generated folder holding it fails naming it", async () => {
  const sourceDir = tree({ "apps/own.yaml": cm("own") });
  symlinkSync("..", join(sourceDir, "apps/up"));
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => err instanceof BuildError && err.message === `apps/up is a symlink to "..", a directory holding it (a symlink loop)`);
  // the same link where nothing reads it does not matter
  const unread = tree({ "apps/kustomization.yaml": "resources: [own.yaml]\n", "apps/own.yaml": cm("own") });
  symlinkSync("..", join(unread, "apps/up"));
  assert.deepEqual((await render({ sourceDir: unread, spec: spec("./apps"), owner })).objects.map((o) => o.metadata.name), ["own"]);
});

test("a plugin directory's configurations are checked, and a directory listing itself does not loop", async () => {
  const sourceDir = withDecoys("resources: [cm.yaml]\ntransformers: [plugins]\n", {
    "apps/plugins/kustomization.yaml": "resources: [patch.yaml, .]\n",
    "apps/plugins/patch.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\npath: /etc/passwd\n",
  });
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => err instanceof PlumbError && err.reason === "InvalidPath" && /apps\/kustomization\.yaml: transformers \(PatchTransformer\)\.path "\/etc\/passwd" is an absolute path/.test(err.message));
});
