import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EXAMPLES, isKustomizeConfig, parseFile, yamlFiles, type Doc } from "./examples-tree.ts";

/** APIs a Kubernetes 1.20 API server serves, plus the Website CRD and our two Flux CRDs. */
const ALLOWED_API_VERSIONS = new Set([
  "v1",
  "apps/v1",
  "rbac.authorization.k8s.io/v1",
  "apiextensions.k8s.io/v1",
  "networking.k8s.io/v1",
  "example.plumbline.dev/v1",
  "source.toolkit.fluxcd.io/v1",
  "kustomize.toolkit.fluxcd.io/v1",
]);

function allDocs(): { file: string; doc: Doc }[] {
  return yamlFiles().flatMap((file) => parseFile(file).map((doc) => ({ file, doc })));
}

describe("examples/ YAML", () => {
  it("has the Flux repository layout", () => {
    for (const p of [
      "README.md",
      "clusters/production/flux-system/gotk-sync.yaml",
      "clusters/test/flux-system/kustomization.yaml",
      "clusters/management/monitoring.yaml",
      "infrastructure/crds",
      "infrastructure/controllers",
      "monitoring",
      "apps/base/kustomization.yaml",
      "apps/production/kustomization.yaml",
      "apps/test/kustomization.yaml",
    ]) assert.ok(existsSync(join(EXAMPLES, p)), `examples/${p} is missing`);
    for (const env of ["production", "test", "management"]) {
      assert.ok(!existsSync(join(EXAMPLES, "clusters", env, "kustomization.yaml")), `clusters/${env} must not have a kustomization.yaml (it is generated)`);
    }
  });

  it("parses every file, and every document has apiVersion, kind and metadata.name", () => {
    const files = yamlFiles();
    assert.ok(files.length >= 25, `expected at least 25 YAML files, found ${files.length}`);
    for (const file of files) {
      const docs = parseFile(file);
      assert.ok(docs.length > 0, `${file}: no documents`);
      for (const [i, doc] of docs.entries()) {
        const where = `${file} (document ${i + 1})`;
        assert.equal(typeof doc.apiVersion, "string", `${where}: apiVersion`);
        assert.equal(typeof doc.kind, "string", `${where}: kind`);
        if (isKustomizeConfig(doc)) continue; // kustomization.yaml has no metadata.name
        assert.equal(typeof doc.metadata?.name, "string", `${where}: metadata.name`);
        assert.ok(String(doc.metadata?.name).length > 0, `${where}: metadata.name is empty`);
      }
    }
  });

  it("uses only APIs a Kubernetes 1.20 API server serves (plus the example and Flux CRDs)", () => {
    for (const { file, doc } of allDocs()) {
      if (isKustomizeConfig(doc)) continue;
      assert.ok(ALLOWED_API_VERSIONS.has(String(doc.apiVersion)), `${file}: ${String(doc.kind)} uses apiVersion ${String(doc.apiVersion)}`);
    }
  });

  it("has no Flux kinds besides GitRepository and Kustomization", () => {
    for (const { file, doc } of allDocs()) {
      const group = String(doc.apiVersion).split("/")[0] ?? "";
      if (group.endsWith("toolkit.fluxcd.io")) {
        assert.ok(["GitRepository", "Kustomization"].includes(String(doc.kind)), `${file}: Flux kind ${String(doc.kind)}`);
      }
      assert.notEqual(doc.kind, "HelmRelease", file);
    }
  });

  it("has Deployments that can become Available on hollow nodes (no probes, no claims)", () => {
    // Patch files (e.g. apps/production/web-replicas.yaml) name a Deployment but have no template.
    const deployments = allDocs().filter(({ doc }) => doc.kind === "Deployment" && doc.spec?.["template"] !== undefined);
    assert.ok(deployments.length >= 4, `expected at least 4 Deployments, found ${deployments.length}`);
    for (const { file, doc } of deployments) {
      const pod = (doc.spec?.["template"] as { spec?: { containers?: Record<string, unknown>[]; volumes?: Record<string, unknown>[] } }).spec;
      assert.ok(pod?.containers?.length, `${file}: no containers`);
      for (const c of pod.containers) {
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) assert.equal(c[probe], undefined, `${file}: ${probe}`);
      }
      for (const v of pod.volumes ?? []) assert.equal(v["persistentVolumeClaim"], undefined, `${file}: PVC volume`);
    }
  });

  it("leaves a marked, not yet included spot for a SOPS-encrypted Secret in apps/base", () => {
    const [k] = parseFile("apps/base/kustomization.yaml");
    assert.ok(k);
    const resources = k["resources"] as string[];
    assert.ok(!resources.some((r) => r.includes("sops") || r.includes("secret")), "apps/base already includes a Secret");
    assert.ok(!allDocs().some(({ doc }) => doc.kind === "Secret"), "examples/ has a Secret");
  });
});
