import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fluxCrds } from "../../../src/reconcile/flux-crds.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import { parseFile, yamlFiles } from "./examples-tree.ts";
import { structuralProblems, validate, type Schema } from "./schema-check.ts";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: { status?: unknown };
  additionalPrinterColumns: { name: string; type: string; jsonPath: string }[];
  schema: { openAPIV3Schema: Schema };
}
interface CrdSpec {
  group: string;
  scope: string;
  names: { kind: string; plural: string; singular: string; listKind: string; shortNames: string[] };
  versions: CrdVersion[];
}

function crdNamed(name: string): { crd: KubeObject; spec: CrdSpec; v1: CrdVersion; schema: Schema } {
  const crd = fluxCrds().find((c) => c.metadata.name === name);
  assert.ok(crd, `${name} not returned`);
  const spec = crd["spec"] as CrdSpec;
  const v1 = spec.versions.find((v) => v.name === "v1");
  assert.ok(v1, `${name}: no v1`);
  return { crd, spec, v1, schema: v1.schema.openAPIV3Schema };
}

const GITREPO = "gitrepositories.source.toolkit.fluxcd.io";
const KS = "kustomizations.kustomize.toolkit.fluxcd.io";

describe("fluxCrds()", () => {
  it("returns the GitRepository and Kustomization CRDs, labelled part-of plumbline", () => {
    const crds = fluxCrds();
    assert.deepEqual(crds.map((c) => c.metadata.name), [GITREPO, KS]);
    for (const c of crds) {
      assert.equal(c.apiVersion, "apiextensions.k8s.io/v1");
      assert.equal(c.kind, "CustomResourceDefinition");
      assert.equal(c.metadata.labels?.["app.kubernetes.io/part-of"], "plumbline");
    }
    assert.notEqual(fluxCrds()[0], crds[0], "each call returns fresh objects");
  });

  for (const [name, group, kind, plural, short] of [
    [GITREPO, "source.toolkit.fluxcd.io", "GitRepository", "gitrepositories", "gitrepo"],
    [KS, "kustomize.toolkit.fluxcd.io", "Kustomization", "kustomizations", "ks"],
  ] as const) {
    it(`${kind}: names, one served+storage v1 with the status subresource, Flux's printer columns, structural schema`, () => {
      const { spec, v1, schema } = crdNamed(name);
      assert.equal(spec.group, group);
      assert.equal(spec.scope, "Namespaced");
      assert.deepEqual(spec.names, { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames: [short] });
      assert.equal(spec.versions.length, 1);
      assert.equal(v1.served, true);
      assert.equal(v1.storage, true);
      assert.deepEqual(v1.subresources, { status: {} });
      const cols = Object.fromEntries(v1.additionalPrinterColumns.map((c) => [c.name, c]));
      assert.deepEqual(cols["Age"], { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" });
      assert.equal(cols["Ready"]?.jsonPath, '.status.conditions[?(@.type=="Ready")].status');
      assert.equal(cols["Status"]?.jsonPath, '.status.conditions[?(@.type=="Ready")].message');
      assert.deepEqual(structuralProblems(schema), []);
      const status = schema.properties?.["status"];
      assert.equal(status?.["x-kubernetes-preserve-unknown-fields"], true);
      assert.deepEqual(status?.default, { observedGeneration: -1 });
    });
  }

  it("Kustomization: prune, interval and sourceRef are required; Flux's spec fields are declared", () => {
    const { schema } = crdNamed(KS);
    const spec = schema.properties?.["spec"];
    assert.deepEqual([...(spec?.required ?? [])].sort(), ["interval", "prune", "sourceRef"]);
    for (const f of ["sourceRef", "path", "interval", "retryInterval", "timeout", "prune", "wait", "force", "suspend", "dependsOn", "targetNamespace",
      "namePrefix", "nameSuffix", "patches", "images", "components", "commonMetadata", "postBuild", "healthChecks", "decryption", "serviceAccountName", "deletionPolicy"]) {
      assert.ok(spec?.properties?.[f], `spec.${f} missing`);
    }
    assert.equal(spec?.properties?.["prune"]?.type, "boolean");
    assert.deepEqual(spec?.properties?.["postBuild"]?.properties?.["substitute"]?.additionalProperties, { type: "string" });
    assert.deepEqual(spec?.properties?.["decryption"]?.properties?.["provider"]?.enum, ["sops"]);
  });

  it("GitRepository: url and interval are required; ref has branch, tag, semver, name, commit; timeout defaults to 60s", () => {
    const { schema } = crdNamed(GITREPO);
    const spec = schema.properties?.["spec"];
    assert.deepEqual([...(spec?.required ?? [])].sort(), ["interval", "url"]);
    assert.deepEqual(Object.keys(spec?.properties?.["ref"]?.properties ?? {}).sort(), ["branch", "commit", "name", "semver", "tag"]);
    assert.equal(spec?.properties?.["timeout"]?.default, "60s");
    for (const f of ["secretRef", "ignore", "suspend"]) assert.ok(spec?.properties?.[f], `spec.${f} missing`);
  });

  it("accepts every GitRepository and Kustomization in examples/ without pruning a field", () => {
    const schemas: Record<string, Schema> = { GitRepository: crdNamed(GITREPO).schema, Kustomization: crdNamed(KS).schema };
    let n = 0;
    for (const file of yamlFiles().filter((f) => f.startsWith("clusters/"))) {
      for (const doc of parseFile(file)) {
        const s = String(doc.apiVersion).includes("toolkit.fluxcd.io") ? schemas[String(doc.kind)] : undefined;
        if (!s) continue;
        n++;
        assert.deepEqual(validate(s, doc), [], `${file}: ${String(doc.kind)}/${String(doc.metadata?.name)}`);
      }
    }
    assert.equal(n, 3 * 2 + 3 + 3 + 2); // per env: GitRepository + flux-system; plus the chain Kustomizations
  });

  it("accepts a Kustomization using every field Plumbline reads", () => {
    const ks = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "all", namespace: "flux-system" },
      spec: {
        sourceRef: { kind: "GitRepository", name: "repo", namespace: "other" }, path: "./apps", interval: "5m0s", retryInterval: "30s", timeout: "1m30s",
        prune: true, wait: false, force: true, suspend: false, dependsOn: [{ name: "a" }, { name: "b", namespace: "x" }], targetNamespace: "apps",
        namePrefix: "p-", nameSuffix: "-s", patches: [{ patch: "- op: remove\n  path: /x", target: { kind: "Deployment", labelSelector: "a=b" } }],
        images: [{ name: "nginx", newTag: "1.27" }], components: ["../c"], commonMetadata: { labels: { a: "b" }, annotations: { c: "d" } },
        postBuild: { substitute: { x: "1" }, substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: true }] },
        healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "apps" }],
        decryption: { provider: "sops", secretRef: { name: "sops-age" } }, serviceAccountName: "deployer", deletionPolicy: "Orphan",
      },
      status: { observedGeneration: 2, inventory: { entries: [{ id: "apps_web_apps_Deployment", v: "v1" }] }, lastAppliedRevision: "main@sha1:abc" },
    };
    assert.deepEqual(validate(crdNamed(KS).schema, ks), []);
  });

  it("rejects what Flux's schema rejects: missing prune, a bad interval, an unknown sourceRef kind or decryption provider", () => {
    const { schema } = crdNamed(KS);
    const base = { sourceRef: { kind: "GitRepository", name: "r" }, interval: "10m", prune: true };
    const errs = (spec: Record<string, unknown>): string[] => validate(schema, { apiVersion: "v", kind: "Kustomization", metadata: {}, spec });
    assert.deepEqual(errs(base), []);
    assert.deepEqual(errs({ sourceRef: base.sourceRef, interval: "10m" }), [".spec.prune: Required value"]);
    assert.match(errs({ ...base, interval: "10 minutes" }).join(), /\.spec\.interval: "10 minutes" does not match/);
    assert.match(errs({ ...base, sourceRef: { kind: "HelmRepository", name: "r" } }).join(), /\.spec\.sourceRef\.kind/);
    assert.match(errs({ ...base, decryption: { provider: "vault" } }).join(), /\.spec\.decryption\.provider/);
    assert.match(errs({ ...base, prune: "yes" }).join(), /\.spec\.prune: want boolean, got string/);
  });

  it("GitRepository url accepts Flux's schemes plus file:// and absolute paths, and rejects scp-like addresses", () => {
    const { schema } = crdNamed(GITREPO);
    const errs = (url: string): string[] => validate(schema, { apiVersion: "v", kind: "GitRepository", metadata: {}, spec: { url, interval: "1m" } });
    for (const ok of ["https://github.com/a/b", "http://h/r.git", "ssh://git@github.com/a/b", "file:///tmp/repo", "/srv/git/repo"]) assert.deepEqual(errs(ok), [], ok);
    for (const bad of ["git@github.com:a/b.git", "ftp://h/r", "relative/path"]) assert.equal(errs(bad).length, 1, bad);
    assert.match(validate(schema, { apiVersion: "v", kind: "GitRepository", metadata: {}, spec: { url: "https://h/r", interval: "1m", timeout: "1h" } }).join(), /timeout/);
  });
});
