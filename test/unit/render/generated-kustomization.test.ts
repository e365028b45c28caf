/**
 * A folder without kustomization.yaml (a generated kustomization, as Flux's generator): every .yaml/.yml file
 * under it is a resource, so one that is not entirely Kubernetes objects fails the build naming the file and
 * what it lacks (Flux: "failed to decode Kubernetes YAML from <file>"). Leaving it out would let the parent
 * prune what it held.
 */
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { BuildError } from "../../../src/core/errors.ts";
import { render } from "../../../src/render/render.ts";
import { renderTestDirs } from "./helpers.ts";

const { tree } = renderTestDirs("plumbline-generated-test-");

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n  a: "1"\n`;
const spec = (path: string): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } });
const owner = { name: "flux-system", namespace: "flux-system" };
const child = (header: string): string => `${header}metadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;

const fails = async (files: Record<string, string>, message: string): Promise<void> => {
  await assert.rejects(render({ sourceDir: tree(files), spec: spec("./clusters/dev"), owner }), (err: Error) => {
    assert.ok(err instanceof BuildError, String(err));
    assert.equal(err.message, message);
    return true;
  });
};

const HINT = "(clusters/dev has no kustomization file, so every .yaml/.yml file under it must hold only Kubernetes objects, as with Flux)";

test("a Kustomization manifest missing kind: fails naming the file and the field", async () => {
  await fails({ "clusters/dev/infra.yaml": cm("infra"), "clusters/dev/apps.yaml": child("apiVersion: kustomize.toolkit.fluxcd.io/v1\n") }, `clusters/dev/apps.yaml: missing kind ${HINT}`);
});

test("an apiversion: typo fails naming the file and apiVersion", async () => {
  await fails({ "clusters/dev/apps.yaml": child("apiversion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n") }, `clusters/dev/apps.yaml: missing apiVersion ${HINT}`);
});

test("one bad document among good ones, in a sub-folder, names the document", async () => {
  await fails({ "clusters/dev/infra/cms.yml": `${cm("a")}---\n${cm("b").replace("  name: b\n", "")}` }, `clusters/dev/infra/cms.yml (document 2): missing metadata.name ${HINT}`);
});

test("a YAML file that holds no object at all (helm values) fails as Flux's generator does", async () => {
  await fails({ "clusters/dev/cm.yaml": cm("x"), "clusters/dev/values.yaml": "replicas: 3\nimage:\n  tag: 1.2.3\n" }, `clusters/dev/values.yaml: missing apiVersion, kind, metadata.name ${HINT}`);
});

test("a dangling symlink named like a manifest fails naming the symlink", async () => {
  const sourceDir = tree({ "clusters/dev/cm.yaml": cm("x") });
  symlinkSync("gone.yaml", join(sourceDir, "clusters/dev/apps.yaml"));
  await assert.rejects(render({ sourceDir, spec: spec("./clusters/dev"), owner }), (err: Error) => err instanceof BuildError && err.message === `clusters/dev/apps.yaml is a symlink to "gone.yaml", which does not exist in the repository (or is left out of the artifact by ignore rules)`);
});

test("what the generator still leaves out: other extensions, .json that is not objects, empty files, folders with their own kustomization file are one resource", async () => {
  const sourceDir = tree({
    "clusters/dev/cm.yaml": cm("top"),
    "clusters/dev/README.md": "# not yaml\n",
    "clusters/dev/dashboard.json": `{"title": "not an object"}`,
    "clusters/dev/empty.yaml": "# nothing here yet\n",
    "clusters/dev/sub/kustomization.yaml": "resources: [cm.yaml]\n",
    "clusters/dev/sub/cm.yaml": cm("sub"),
    "clusters/dev/sub/values.yaml": "replicas: 3\n", // not listed by sub's kustomization: not read
  });
  const r = await render({ sourceDir, spec: spec("./clusters/dev"), owner });
  assert.deepEqual(r.objects.map((o) => o.metadata.name).sort(), ["sub", "top"]);
});
