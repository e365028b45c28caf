import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { decryptFile, parseAgeIdentities } from "../../../src/render/sops/index.ts";
import { DEMO_AGE_KEY_FILE, EXAMPLE_SECRET_SHA256, sha256 } from "../../support/examples-sops.ts";
import { EXAMPLES, isKustomizeConfig, parseFile, yamlFiles, type Doc } from "./examples-tree.ts";

/** Stable APIs a current Kubernetes API server serves (autoscaling/v2 from 1.23), plus the Website CRD and our two Flux CRDs. */
const ALLOWED_API_VERSIONS = new Set([
  "v1",
  "apps/v1",
  "rbac.authorization.k8s.io/v1",
  "apiextensions.k8s.io/v1",
  "networking.k8s.io/v1",
  "autoscaling/v2",
  "batch/v1",
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

  it("uses only stable APIs a current API server serves (plus the example and Flux CRDs)", () => {
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

  it("has a SOPS-encrypted Secret and an encrypted secretGenerator env file in apps/base, valid sops files for the .sops.yaml recipient, decrypting with the demo key", async () => {
    const rules = (parse(readFileSync(join(EXAMPLES, ".sops.yaml"), "utf8")) as { creation_rules: { path_regex: string; age: string; encrypted_regex?: string }[] }).creation_rules;
    const demoKey = readFileSync(DEMO_AGE_KEY_FILE, "utf8");
    const recipient = /^# public key: (age1[0-9a-z]+)$/m.exec(demoKey)?.[1];
    assert.ok(recipient, "demo-keys/age.agekey names its public key");
    assert.ok(rules.length >= 2 && rules.every((r) => r.age === recipient), ".sops.yaml encrypts for the demo key's recipient");
    const files = readdirSync(EXAMPLES, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    assert.ok(files.length > 25);
    assert.ok(!files.some((f) => f.endsWith(".agekey") || readFileSync(f, "utf8").includes("AGE-SECRET-KEY-")), "no private key under examples/");

    const [k] = parseFile("apps/base/kustomization.yaml");
    assert.ok((k?.["resources"] as string[]).includes("api-credentials.sops.yaml"));
    assert.deepEqual(k?.["secretGenerator"], [{ name: "api-tokens", envs: ["api-tokens.sops.env"] }]);
    for (const env of ["production", "test"]) {
      const [apps] = parseFile(`clusters/${env}/apps.yaml`);
      assert.deepEqual(apps?.spec?.["decryption"], { provider: "sops", secretRef: { name: "sops-age" } }, `clusters/${env}/apps.yaml decrypts with Secret sops-age`);
    }

    const ids = parseAgeIdentities(demoKey, "demo-keys/age.agekey");
    // the Secret manifest: readable apiVersion/kind/metadata, every data value encrypted, sops metadata with MAC and version
    const text = readFileSync(join(EXAMPLES, "apps/base/api-credentials.sops.yaml"), "utf8");
    const [secret] = parseFile("apps/base/api-credentials.sops.yaml");
    assert.equal(secret?.kind, "Secret");
    assert.equal(secret?.metadata?.name, "api-credentials");
    for (const v of Object.values(secret?.["data"] as Record<string, string>)) assert.match(v, /^ENC\[AES256_GCM,data:.*,type:str\]$/);
    const sops = secret?.["sops"] as { mac: string; version: string; lastmodified: string; encrypted_regex: string; age: { recipient: string }[] };
    assert.match(sops.mac, /^ENC\[AES256_GCM,/);
    assert.match(sops.version, /^3\.\d+\.\d+$/);
    assert.equal(sops.encrypted_regex, "^(data|stringData)$");
    assert.deepEqual(sops.age.map((a) => a.recipient), [recipient]);
    const plain = parse(await decryptFile(text, "yaml", ids, "api-credentials.sops.yaml")) as { data: Record<string, string> };
    for (const [key, hash] of Object.entries(EXAMPLE_SECRET_SHA256["api-credentials"])) {
      assert.ok(sha256(Buffer.from(plain.data[key] ?? "", "base64").toString("utf8")) === hash, `api-credentials ${key} decrypts to the expected value`);
    }
    // the dotenv generator input: every value encrypted, sops metadata as sops_ keys
    const envText = readFileSync(join(EXAMPLES, "apps/base/api-tokens.sops.env"), "utf8");
    const lines = envText.trim().split("\n");
    for (const l of lines.filter((x) => !x.startsWith("sops_"))) assert.match(l, /^[A-Z_]+=ENC\[AES256_GCM,/);
    for (const m of ["sops_mac=ENC[AES256_GCM,", "sops_version=", "sops_lastmodified=", `sops_age__list_0__map_recipient=${recipient}`]) assert.ok(lines.some((l) => l.startsWith(m)), m);
    const env = Object.fromEntries((await decryptFile(envText, "dotenv", ids, "api-tokens.sops.env")).trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    for (const [key, hash] of Object.entries(EXAMPLE_SECRET_SHA256["api-tokens"])) assert.ok(sha256(env[key] ?? "") === hash, `api-tokens ${key} decrypts to the expected value`);
  });
});
