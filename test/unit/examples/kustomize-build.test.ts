import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execFileSync } from "node:child_process";
import { parseAllDocuments, stringify } from "yaml";
import { generateResources } from "../../../src/render/kustomization-file.ts";
import { substitute } from "../../../src/render/substitute.ts";
import { countKinds, EXAMPLES, kustomizeBuild, parseFile, type Doc } from "./examples-tree.ts";

/** Secrets: api-credentials (SOPS-encrypted manifest) and api-tokens-<hash> (secretGenerator over an encrypted env file). */
const APPS_KINDS = { Namespace: 1, ConfigMap: 2, Secret: 2, Service: 2, Deployment: 2, HorizontalPodAutoscaler: 1, CronJob: 1, Website: 2 };

function byKindName(docs: Doc[], kind: string, name: string): Doc {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  assert.ok(d, `${kind}/${name} not in the build`);
  return d;
}

/** Flux's postBuild step: substitute the rendered YAML with the Kustomization's variables. */
function postBuild(docs: Doc[], vars: Record<string, string>): Doc[] {
  return docs.map((d) => {
    const text = substitute(stringify(d), vars, `${String(d.kind)}/${String(d.metadata?.name)}`);
    return parseAllDocuments(text).map((x) => x.toJS() as Doc)[0] as Doc;
  });
}

function substituteVars(env: string): Record<string, string> {
  const [apps] = parseFile(`clusters/${env}/apps.yaml`);
  const vars = (apps?.spec?.["postBuild"] as { substitute?: Record<string, string> } | undefined)?.substitute;
  assert.ok(vars, `clusters/${env}/apps.yaml has no postBuild.substitute`);
  return vars;
}

describe("kubectl kustomize on examples/", () => {
  it("builds infrastructure: the Website CRD first-class, plus the controller and its RBAC", () => {
    const docs = kustomizeBuild("infrastructure");
    assert.deepEqual(countKinds(docs), { Namespace: 1, CustomResourceDefinition: 1, ServiceAccount: 1, ClusterRole: 1, ClusterRoleBinding: 1, Deployment: 1 });
    const crd = byKindName(docs, "CustomResourceDefinition", "websites.example.plumbline.dev");
    const spec = crd.spec as { group: string; scope: string; names: { kind: string }; versions: { name: string; subresources?: { status?: unknown }; schema?: unknown }[] };
    assert.equal(spec.group, "example.plumbline.dev");
    assert.equal(spec.scope, "Namespaced");
    assert.equal(spec.names.kind, "Website");
    assert.equal(spec.versions[0]?.name, "v1");
    assert.deepEqual(spec.versions[0]?.subresources?.status, {});
    assert.ok(spec.versions[0]?.schema);
    assert.equal(byKindName(docs, "Deployment", "website-controller").metadata?.namespace, "website-system");
  });

  it("builds monitoring into the monitoring namespace", () => {
    const docs = kustomizeBuild("monitoring");
    assert.deepEqual(countKinds(docs), { Namespace: 1, ConfigMap: 1, Service: 1, Deployment: 1 });
    for (const d of docs) if (d.kind !== "Namespace") assert.equal(d.metadata?.namespace, "monitoring", `${String(d.kind)}/${String(d.metadata?.name)}`);
  });

  it("builds apps/base with two Deployments of 2 replicas and two Websites", () => {
    const docs = kustomizeBuild("apps/base");
    assert.deepEqual(countKinds(docs), APPS_KINDS);
    for (const name of ["web", "api"]) assert.equal((byKindName(docs, "Deployment", name).spec as { replicas: number }).replicas, 2);
    for (const d of docs) if (d.kind !== "Namespace") assert.equal(d.metadata?.namespace, "apps");
    // the generated Secret's name carries kustomize's hash, and the api Deployment's reference follows it
    const generated = docs.find((d) => d.kind === "Secret" && String(d.metadata?.name).startsWith("api-tokens-"));
    assert.ok(generated, "secretGenerator api-tokens");
    assert.ok(byKindName(docs, "Secret", "api-credentials")["sops"], "the encrypted Secret keeps its sops metadata through kustomize (the engine decrypts after the build)");
    const envFrom = ((byKindName(docs, "Deployment", "api").spec as { template: { spec: { containers: { envFrom: { secretRef?: { name: string } }[] }[] } } }).template.spec.containers[0]?.envFrom ?? []).flatMap((e) => (e.secretRef ? [e.secretRef.name] : []));
    assert.deepEqual(envFrom, ["api-credentials", generated.metadata?.name]);
  });

  for (const [env, replicas, logLevel] of [["production", 3, "warn"], ["test", 1, "debug"]] as const) {
    it(`builds apps/${env}; postBuild substitution gives web ${replicas} replicas and CLUSTER_ENV=${env}`, () => {
      const raw = kustomizeBuild(`apps/${env}`);
      assert.deepEqual(countKinds(raw), APPS_KINDS);
      assert.equal((byKindName(raw, "Deployment", "web").spec as { replicas: unknown }).replicas, "${replicas}");
      const docs = postBuild(raw, substituteVars(env));
      assert.equal((byKindName(docs, "Deployment", "web").spec as { replicas: unknown }).replicas, replicas);
      assert.equal((byKindName(docs, "Deployment", "api").spec as { replicas: unknown }).replicas, 2);
      for (const cm of ["web-config", "api-config"]) {
        assert.deepEqual(byKindName(docs, "ConfigMap", cm)["data"], { CLUSTER_ENV: env, LOG_LEVEL: logLevel });
      }
      for (const d of docs) assert.equal(d.metadata?.["labels"] && (d.metadata["labels"] as Record<string, string>)["app.kubernetes.io/environment"], env);
      assert.ok(!stringify(docs).includes("${"), "unsubstituted variables left");
    });
  }

  it("builds each cluster's flux-system folder: the namespace, the GitRepository and the flux-system Kustomization", () => {
    for (const env of ["production", "test", "management"]) {
      const docs = kustomizeBuild(`clusters/${env}/flux-system`);
      assert.deepEqual(countKinds(docs), { Namespace: 1, GitRepository: 1, Kustomization: 1 }, env);
      const ks = byKindName(docs, "Kustomization", "flux-system");
      assert.equal(ks.spec?.["path"], `./clusters/${env}`);
      assert.equal(ks.spec?.["prune"], true);
      const repo = byKindName(docs, "GitRepository", "flux-system");
      assert.deepEqual(repo.spec?.["ref"], { branch: "main" });
    }
  });
});

describe("clusters/<env> with a generated kustomization.yaml (as Flux does)", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "plumbline-examples-"));
    cpSync(EXAMPLES, dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const expected: Record<string, string[]> = {
    production: ["apps.yaml", "flux-system", "infrastructure.yaml", "monitoring.yaml"],
    test: ["apps.yaml", "flux-system", "infrastructure.yaml", "monitoring.yaml"],
    management: ["flux-system", "infrastructure.yaml", "monitoring.yaml"],
  };
  for (const [env, resources] of Object.entries(expected)) {
    it(`generates and builds clusters/${env}`, () => {
      const clusterDir = join(dir, "clusters", env);
      const generated = generateResources(clusterDir, dir);
      assert.deepEqual([...generated].sort(), resources);
      writeFileSync(join(clusterDir, "kustomization.yaml"), stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: generated }));
      const out = execFileSync("kubectl", ["kustomize", clusterDir], { encoding: "utf8", timeout: 60_000 });
      const docs = parseAllDocuments(out).map((d) => d.toJS() as Doc);
      assert.deepEqual(countKinds(docs), { Namespace: 1, GitRepository: 1, Kustomization: resources.length });
    });
  }

  it("adds up to about 20-30 objects for production", () => {
    const total = 6 + ["infrastructure", "monitoring", "apps/production"].reduce((n, p) => n + kustomizeBuild(p).length, 0);
    assert.equal(total, 29);
  });
});
