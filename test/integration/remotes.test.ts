import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_NAMESPACE } from "../../src/core/flux-api.ts";
import { createRepo, type FileMap } from "../support/git-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { startGitSshServer } from "../support/git-ssh-server.ts";
import { testKube, testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml, syncOnce } from "../support/engine.ts";
import { DEMO_AGE_KEY_FILE, EXAMPLE_SECRET_SHA256, sha256 } from "../support/examples-sops.ts";
import { needsKube } from "../support/kube-version.ts";

test("sync from an HTTP remote with basic auth, and refused with a wrong password", async (t) => {
  const { kube, ns } = await testSetup(t, "http");
  const root = mkdtempSync(join(tmpdir(), "plumbline-http-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("remote", ns, { via: "http" }) });
  t.after(() => repo.remove());
  await repo.publish(root, "fleet.git");
  const server = await startGitHttpServer({ root, username: "git", password: "s3cret-pass" });
  t.after(() => server.stop());
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "git-auth", namespace: ns }, stringData: { username: "git", password: "wrong" } });
  const refused = await syncOnce(kube, { url: `${server.url}/fleet.git`, path: "clusters/c", namespace: ns, secretRef: "git-auth" });
  assert.equal(refused.byName("flux-system").reason, "ArtifactFailed");
  assert.doesNotMatch(refused.byName("flux-system").message, /wrong|s3cret/);
  await kube.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "git-auth", namespace: ns }, stringData: { username: "git", password: "s3cret-pass" } }, { fieldManager: "test", force: true });
  const ok = await syncOnce(kube, { url: `${server.url}/fleet.git`, path: "clusters/c", namespace: ns, secretRef: "git-auth" });
  assert.equal(ok.byName("app").ready, true, ok.byName("app").message);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "remote"))?.["data"] as Record<string, string>)["via"], "http");
});

test("sync from an SSH remote with a key and known_hosts; semver picks the highest matching tag", async (t) => {
  const { kube, ns } = await testSetup(t, "ssh");
  const root = mkdtempSync(join(tmpdir(), "plumbline-ssh-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const files = (v: string): FileMap => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("release", ns, { version: v }) });
  const repo = await createRepo(files("1.0.0"));
  t.after(() => repo.remove());
  await repo.tag("v1.0.0");
  await repo.commit(files("1.2.0"));
  await repo.tag("v1.2.0");
  await repo.commit(files("2.0.0"));
  await repo.tag("v2.0.0");
  const bare = await repo.publish(root, "fleet.git");
  const server = await startGitSshServer();
  t.after(() => server.stop());
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "ssh-auth", namespace: ns }, stringData: { identity: server.clientPrivateKey, known_hosts: server.knownHosts } });
  const run = await syncOnce(kube, { url: `${server.url}${bare}`, ref: { semver: ">=1.0.0 <2.0.0" }, path: "clusters/c", namespace: ns, secretRef: "ssh-auth" });
  assert.equal(run.byName("app").ready, true, run.byName("app").message);
  assert.match(run.byName("app").revision, /^v1\.2\.0@sha1:[0-9a-f]{40}$/);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "release"))?.["data"] as Record<string, string>)["version"], "1.2.0");
});

test("the example repository syncs into the cluster, every Kustomization Ready, and a second run writes nothing (Kubernetes >= 1.23)", { skip: needsKube(1, 23, "examples/ has an autoscaling/v2 HorizontalPodAutoscaler") }, async (t) => {
  const kube = testKube();
  t.after(() => kube.close());
  const files: FileMap = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else files[`${rel}${name}`] = readFileSync(p, "utf8");
    }
  };
  walk(join(import.meta.dirname, "../../examples"), "");
  const repo = await createRepo(files);
  t.after(() => repo.remove());
  // as a Flux user does before the apps need it: the demo age key as Secret flux-system/sops-age, entry age.agekey
  // (merged in, other tests may add their own entries)
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: DEFAULT_NAMESPACE } }).catch(() => undefined);
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-age", namespace: DEFAULT_NAMESPACE }, data: {} }).catch(() => undefined);
  await kube.patch("v1", "Secret", DEFAULT_NAMESPACE, "sops-age", { data: { "age.agekey": readFileSync(DEMO_AGE_KEY_FILE).toString("base64") } }, "application/merge-patch+json");
  const first = await syncOnce(kube, { url: repo.dir, path: "clusters/production", namespace: DEFAULT_NAMESPACE });
  const names = first.kustomizations.map((k) => k.name).sort();
  assert.ok(names.includes("infrastructure") && names.includes("monitoring") && names.includes("apps"), names.join(","));
  for (const k of first.kustomizations) assert.equal(k.ready, true, `${k.name}: ${k.message}`);
  // the SOPS-encrypted Secret and the Secret generated from the encrypted env file, decrypted (compared by hash, never printed)
  const generated = (await kube.list("v1", "Secret", { namespace: "apps" })).items.find((s) => s.metadata.name?.startsWith("api-tokens-"));
  assert.ok(generated, "Secret apps/api-tokens-<hash> exists");
  for (const [name, expected] of [["api-credentials", EXAMPLE_SECRET_SHA256["api-credentials"]], [generated.metadata.name ?? "", EXAMPLE_SECRET_SHA256["api-tokens"]]] as const) {
    const data = ((await kube.get("v1", "Secret", "apps", name))?.["data"] ?? {}) as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), Object.keys(expected).sort(), `Secret apps/${name} keys`);
    for (const [key, hash] of Object.entries(expected)) assert.ok(sha256(Buffer.from(data[key] ?? "", "base64").toString("utf8")) === hash, `Secret apps/${name} ${key} holds the decrypted value`);
  }
  const second = await syncOnce(kube, { url: repo.dir, path: "clusters/production", namespace: DEFAULT_NAMESPACE });
  for (const k of second.kustomizations) {
    assert.equal(k.ready, true, `${k.name}: ${k.message}`);
    assert.equal(k.changes.created + k.changes.configured + k.changes.deleted, 0, JSON.stringify([k.name, k.changes]));
  }
  assert.equal(second.writes, 0);
});
