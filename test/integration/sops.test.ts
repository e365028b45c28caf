/**
 * SOPS (age) end to end against the real control plane: an encrypted Secret and a secretGenerator over an
 * encrypted dotenv file decrypted with the key from a cluster Secret; bad input refused naming the file with
 * nothing pruned; `plumb diff` on a changed encrypted value; and no plaintext in events, messages, Kubernetes
 * Events, diff output or leftover temp files.
 *
 * Plaintext values are random per run and only ever compared in memory (assert.ok, never printed).
 */
import { PRIVATE_TMPDIR } from "../support/private-tmpdir.ts"; // first: TMPDIR for everything below
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { KUSTOMIZATION_API_VERSION } from "../../src/core/flux-api.ts";
import type { KubeObject } from "../../src/core/object-ref.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import type { Decryptor } from "../../src/render/decryptor.ts";
import { encryptFile } from "../../src/render/sops/index.ts";
import { makeSopsDecryptor } from "../../src/reconcile/sops-decryptor.ts";
import { plumb, type CliRun } from "../support/cli.ts";
import { testKube, testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml, syncOnce, type SyncRun } from "../support/engine.ts";
import { createRepo, type FileMap } from "../support/git-repo.ts";

interface Key {
  identity: string;
  recipient: string;
}
async function newKey(): Promise<Key> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined): string => Buffer.from(s ?? "", "base64").toString("utf8");

/** Every plaintext this file ever encrypts; none may show up outside the cluster's Secrets. */
const plaintexts: string[] = [];
function plaintext(): string {
  const v = randomBytes(12).toString("hex");
  plaintexts.push(v);
  return v;
}
/** Everything the engine and the CLI said during these tests (events, messages, Kubernetes Events, diff output). */
const seen: string[] = [];
/** Render work dirs seen by the decryptor while they existed (`<work>/src` is the tree root it gets). */
const renderDirs: string[] = [];

function recordingDecryptor(keys: { source: string; text: string }[]): Decryptor {
  const d = makeSopsDecryptor(keys);
  return {
    async decryptGeneratorInputs(root: string): Promise<void> {
      const work = dirname(root);
      renderDirs.push(work);
      assert.equal(statSync(work).mode & 0o777, 0o700, "the render's temp dir is private");
      await d.decryptGeneratorInputs(root);
    },
    decryptObject: (obj, subject) => d.decryptObject(obj, subject),
    dispose: async () => d.dispose?.(),
  };
}

/** Syncs, records what the engine said, and checks that every render's temp dir is gone. */
async function run(kube: KubeClient, url: string, ns: string): Promise<SyncRun> {
  const before = renderDirs.length;
  const r = await syncOnce(kube, { url, path: "clusters/c", namespace: ns, makeDecryptor: recordingDecryptor });
  seen.push(JSON.stringify(r.events));
  seen.push(JSON.stringify(r.kustomizations.map((k) => ({ message: k.message, reason: k.reason, drift: k.drift.map((c) => c.drift) }))));
  for (const dir of renderDirs.slice(before)) {
    assert.ok(dir.startsWith(PRIVATE_TMPDIR + "/plumbline-render-"), dir);
    assert.equal(existsSync(dir), false, `render temp dir ${dir} was not removed`);
  }
  return r;
}

/** Kubernetes Events and the Kustomization statuses of a namespace, for the plaintext scan. */
async function collectCluster(kube: KubeClient, ns: string): Promise<void> {
  seen.push(JSON.stringify((await kube.list("v1", "Event", { namespace: ns })).items));
  seen.push(JSON.stringify((await kube.list(KUSTOMIZATION_API_VERSION, "Kustomization", { namespace: ns })).items.map((k) => k["status"])));
}

async function secretData(kube: KubeClient, ns: string, name: string): Promise<Record<string, string> | undefined> {
  const s = await kube.get("v1", "Secret", ns, name);
  if (!s) return undefined;
  return Object.fromEntries(Object.entries((s["data"] ?? {}) as Record<string, string>).map(([k, v]) => [k, unb64(v)]));
}

/** Compares without ever printing either value. */
function assertValue(actual: string | undefined, expected: string, what: string): void {
  assert.ok(actual !== undefined, `${what} is missing`);
  assert.ok(actual === expected, `${what} does not hold the expected value`);
}

async function generatedSecret(kube: KubeClient, ns: string, prefix: string): Promise<KubeObject | undefined> {
  const list = await kube.list("v1", "Secret", { namespace: ns, labelSelector: "kustomize.toolkit.fluxcd.io/name=app" });
  return list.items.find((s) => s.metadata.name?.startsWith(prefix + "-"));
}

const decryption = (secret: string): string => `  decryption:\n    provider: sops\n    secretRef:\n      name: ${secret}\n`;

function dbYaml(user: string, password: string, tier = "db"): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: db
  labels:
    tier: ${tier}
type: Opaque
data:
  user: ${b64(user)}
  password: ${b64(password)}
`;
}

const encYaml = (text: string, recipient: string): Promise<string> => encryptFile(text, "yaml", { recipients: [recipient], encryptedRegex: "^(data|stringData)$" }, "db.sops.yaml");
const encEnv = (text: string, recipient: string): Promise<string> => encryptFile(text, "dotenv", { recipients: [recipient] }, "app.sops.env");

test("an encrypted Secret and a secretGenerator over an encrypted env file are applied decrypted; decrypt: Disabled applies ciphertext as is", async (t) => {
  const { kube, ns } = await testSetup(t, "sops");
  const key = await newKey();
  const other = await newKey();
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys", namespace: ns }, data: { "age.agekey": b64(`# test key\n${key.identity}\n`) } });
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-none", namespace: ns }, data: { "README.txt": b64("no age key here") } });
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-other", namespace: ns }, data: { "age.agekey": b64(other.identity) } });
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-garbage", namespace: ns }, data: { "age.agekey": b64("AGE-SECRET-KEY-NOT-REALLY-A-KEY") } });

  const v = { user: plaintext(), password: plaintext(), token: plaintext(), envToken: plaintext(), envKey: plaintext(), blob: plaintext() };
  const db = await encYaml(dbYaml(v.user, v.password), key.recipient);
  const api = await encYaml(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: ${v.token}\n`, key.recipient);
  const env = await encEnv(`TOKEN=${v.envToken}\nAPI_KEY=${v.envKey}\n`, key.recipient);
  const blobCipher = await encEnv(`BLOB=${v.blob}\n`, other.recipient);
  const blob = `apiVersion: v1
kind: Secret
metadata:
  name: blob
  annotations:
    kustomize.toolkit.fluxcd.io/decrypt: Disabled
data:
  app.env: ${b64(blobCipher)}
`;
  const kustomization = (o: { cm?: boolean; extraFiles?: string[] } = {}): string => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
${o.cm === false ? "" : "  - cm.yaml\n"}  - db.sops.yaml
  - api.sops.yaml
  - blob.yaml
secretGenerator:
  - name: gen
    envs:
      - app.sops.env
${o.extraFiles ? `    files:\n${o.extraFiles.map((f) => `      - ${f}\n`).join("")}` : ""}`;
  const good: FileMap = {
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", decryption("sops-keys")),
    "apps/kustomization.yaml": kustomization(),
    "apps/cm.yaml": configMapYaml("plain", ns, { color: "blue" }),
    "apps/db.sops.yaml": db,
    "apps/api.sops.yaml": api,
    "apps/app.sops.env": env,
    "apps/blob.yaml": blob,
    "apps/settings.conf": null,
  };
  const repo = await createRepo(good);
  t.after(() => repo.remove());

  const first = await run(kube, repo.dir, ns);
  for (const k of first.kustomizations) assert.equal(k.ready, true, `${k.name}: ${k.message}`);
  assert.ok(renderDirs.length >= 1, "the decryptor saw the render's private tree");
  const dbData = await secretData(kube, ns, "db");
  assertValue(dbData?.["user"], v.user, "Secret db data.user");
  assertValue(dbData?.["password"], v.password, "Secret db data.password");
  assert.equal((await kube.get("v1", "Secret", ns, "db"))?.metadata.labels?.["tier"], "db");
  assertValue((await secretData(kube, ns, "api"))?.["token"], v.token, "Secret api token (stringData)");
  const gen = await generatedSecret(kube, ns, "gen");
  assert.ok(gen, "the generated Secret gen-<hash> exists");
  const genData = await secretData(kube, ns, gen.metadata.name ?? "");
  assert.deepEqual(Object.keys(genData ?? {}).sort(), ["API_KEY", "TOKEN"]);
  assertValue(genData?.["TOKEN"], v.envToken, "generated Secret TOKEN");
  assertValue(genData?.["API_KEY"], v.envKey, "generated Secret API_KEY");
  assertValue((await secretData(kube, ns, "blob"))?.["app.env"], blobCipher, "Secret blob (decrypt: Disabled) holds the ciphertext as committed");
  assert.ok((await kube.get("v1", "ConfigMap", ns, "plain")));

  const second = await run(kube, repo.dir, ns);
  const app2 = second.byName("app");
  assert.equal(app2.ready, true, app2.message);
  assert.equal(app2.changes.created + app2.changes.configured + app2.changes.deleted, 0, JSON.stringify([app2.changes, second.events.filter((e) => (e.type === "apply.object" && e.action !== "unchanged") || e.type === "drift.detected")]));
  assert.equal(second.writes, 0, "a second sync of the same encrypted revision writes nothing");

  // a manual change of a decrypted value is reverted, and reported masked
  const manual = plaintext();
  await kube.patch("v1", "Secret", ns, "db", { data: { password: b64(manual) } }, "application/merge-patch+json");
  const third = await run(kube, repo.dir, ns);
  assert.equal(third.byName("app").changes.configured, 1);
  const drift = third.events.find((e) => e.type === "drift.detected" && e.ref.name === "db");
  assert.ok(drift && drift.type === "drift.detected");
  const field = drift.fields.find((f) => f.path === "data.password");
  assert.deepEqual([field?.live, field?.desired], ["<redacted>", "<redacted>"]);
  assertValue((await secretData(kube, ns, "db"))?.["password"], v.password, "Secret db password after the drift was corrected");

  // Bad input: each revision also drops cm.yaml, so applying anything of it would prune ConfigMap plain.
  const otherDb = await encYaml(dbYaml(v.user, v.password), other.recipient);
  const otherEnvMac = /^sops_mac=.*$/m.exec(await encEnv("X=1\n", key.recipient))?.[0] ?? "";
  const flip = (s: string): string => s.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_, p: string, c: string) => p + (c === "A" ? "B" : "A"));
  const confAsYaml = await encryptFile("greeting: hello\n", "yaml", { recipients: [key.recipient] }, "settings.yaml");
  const cases: { name: string; files: FileMap; message: RegExp }[] = [
    { name: "no age key in the decryption Secret", files: { "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", decryption("sops-none")) }, message: /^apps\/(app\.sops\.env|db\.sops\.yaml|api\.sops\.yaml): cannot decrypt: no age key: the decryption Secret \(spec\.decryption\.secretRef\) has no entry ending in \.agekey/ },
    { name: "an invalid key in the decryption Secret", files: { "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", decryption("sops-garbage")) }, message: /^apps\/app\.sops\.env: cannot decrypt: no age identity \(AGE-SECRET-KEY-1\.\.\.\) in Secret\/.*\/sops-garbage\[age\.agekey\] \(.*line 1 is not an age identity/ },
    { name: "a wrong key in the decryption Secret", files: { "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", decryption("sops-other")) }, message: new RegExp(`^apps/app\\.sops\\.env: no identity matches any of the file's age recipients \\(${key.recipient}\\)`) },
    { name: "a file encrypted for a key the cluster does not have", files: { "apps/db.sops.yaml": otherDb }, message: new RegExp(`^apps/db\\.sops\\.yaml: no identity matches any of the file's age recipients \\(${other.recipient}\\)`) },
    { name: "a corrupted value", files: { "apps/db.sops.yaml": flip(db) }, message: /^apps\/db\.sops\.yaml: data:password: could not decrypt value with AES-GCM/ },
    { name: "a tampered MAC (a plaintext label edited after encryption)", files: { "apps/db.sops.yaml": db.replace("tier: db", "tier: cache") }, message: /^apps\/db\.sops\.yaml: MAC mismatch: the file was modified after it was encrypted/ },
    { name: "a tampered MAC (an env file's MAC replaced)", files: { "apps/app.sops.env": env.replace(/^sops_mac=.*$/m, otherEnvMac) }, message: /^apps\/app\.sops\.env: MAC mismatch/ },
    { name: "an unknown format (a .conf file encrypted as YAML)", files: { "apps/kustomization.yaml": kustomization({ cm: false, extraFiles: ["settings.conf"] }), "apps/settings.conf": confAsYaml }, message: /^apps\/settings\.conf: unknown format: the file is sops-encrypted as yaml, but its name makes it binary/ },
    { name: "malformed metadata", files: { "apps/db.sops.yaml": db.replace(/lastmodified: .*/, 'lastmodified: "yesterday"') }, message: /^apps\/db\.sops\.yaml: lastmodified is not an RFC 3339 timestamp/ },
    { name: "decryption not configured", files: { "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps") }, message: new RegExp(`^Secret/${ns}/(db|api|gen-[a-z0-9]+): holds SOPS-encrypted data but the Kustomization has no spec\\.decryption; refusing to apply ciphertext`) },
  ];
  const rvBefore = (await kube.get("v1", "Secret", ns, "db"))?.metadata.resourceVersion;
  for (const c of cases) {
    await repo.commit({ ...good, "apps/kustomization.yaml": kustomization({ cm: false }), "apps/cm.yaml": null, ...c.files }, c.name);
    const r = await run(kube, repo.dir, ns);
    assert.equal(r.byName("flux-system").ready, true, `${c.name}: flux-system: ${r.byName("flux-system").message}`);
    const app = r.byName("app");
    assert.equal(app.ready, false, `${c.name}: the Kustomization must fail`);
    assert.equal(app.reason, "DecryptionFailed", `${c.name}: ${app.message}`);
    assert.match(app.message, c.message, c.name);
    assert.ok(!app.message.includes("NOT-REALLY-A-KEY") && !app.message.includes(key.identity) && !app.message.includes(other.identity), `${c.name}: the message quotes key material`);
    const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "app");
    const ready = ((ks?.["status"] as { conditions?: { type: string; status: string; message: string }[] } | undefined)?.conditions ?? []).find((x) => x.type === "Ready");
    assert.equal(ready?.status, "False", c.name);
    assert.equal(ready?.message, app.message, c.name);
    assert.ok(await kube.get("v1", "ConfigMap", ns, "plain"), `${c.name}: ConfigMap plain was pruned`);
    assert.ok(await generatedSecret(kube, ns, "gen"), `${c.name}: the generated Secret was pruned`);
    assert.equal((await kube.get("v1", "Secret", ns, "db"))?.metadata.resourceVersion, rvBefore, `${c.name}: Secret db was written`);
    assert.ok(await kube.get("v1", "Secret", ns, "api"), `${c.name}: Secret api was pruned`);
    assert.equal(r.events.filter((e) => (e.type === "apply.object" && e.action !== "unchanged") || e.type === "prune.object").filter((e) => "kustomization" in e && e.kustomization === `${ns}/app`).length, 0, `${c.name}: nothing applied or pruned`);
  }

  // back to the good revision (minus the ConfigMap): Ready again, and now the ConfigMap is pruned
  await repo.commit({ ...good, "apps/kustomization.yaml": kustomization({ cm: false }), "apps/cm.yaml": null }, "fixed");
  const fixed = await run(kube, repo.dir, ns);
  assert.equal(fixed.byName("app").ready, true, fixed.byName("app").message);
  assert.equal(await kube.get("v1", "ConfigMap", ns, "plain"), undefined);
  assertValue((await secretData(kube, ns, "db"))?.["password"], v.password, "Secret db password at the end");
  await collectCluster(kube, ns);
});

test("plumb diff shows a changed encrypted Secret as changed, values masked", async (t) => {
  const { kube, ns, dir: cacheDir } = await testSetup(t, "sopsdiff");
  const key = await newKey();
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys", namespace: ns }, data: { "age.agekey": b64(key.identity) } });
  const user = plaintext();
  const oldPassword = plaintext();
  const newPassword = plaintext();
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", decryption("sops-keys")),
    "apps/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}\nresources:\n  - db.sops.yaml\n`,
    "apps/db.sops.yaml": await encYaml(dbYaml(user, oldPassword), key.recipient),
  });
  t.after(() => repo.remove());
  const first = await run(kube, repo.dir, ns);
  assert.equal(first.byName("app").ready, true, first.byName("app").message);

  const diff = async (): Promise<CliRun> => {
    const r = await plumb("diff", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", cacheDir);
    seen.push(r.out, r.err);
    return r;
  };
  // the revision the cluster holds: decrypted with the Kustomization's own key, nothing differs
  const same = await diff();
  assert.equal(same.code, 0, "plumb diff of the synced revision reports no change");
  assert.doesNotMatch(same.out, /\(configured\)|\(created\)|\(deleted\)/);

  await repo.commit({ "apps/db.sops.yaml": await encYaml(dbYaml(user, newPassword), key.recipient) }, "rotate the password");
  const changed = await diff();
  assert.equal(changed.code, 1, "plumb diff reports the change");
  assert.match(changed.out, new RegExp(`\\n  ~ Secret/${ns}/db \\(configured\\)\\n      data\\.password: <redacted> -> <redacted> `));
  assert.doesNotMatch(changed.out, /data\.user/, "data.user did not change");
  assert.ok(!/AGE-SECRET-KEY-1/.test(changed.out + changed.err), "no key material in the output");

  // the diff was right: a sync applies the new value
  const second = await run(kube, repo.dir, ns);
  assert.equal(second.byName("app").changes.configured, 1);
  assertValue((await secretData(kube, ns, "db"))?.["password"], newPassword, "Secret db password after the rotation");
  await collectCluster(kube, ns);
});

test("no plaintext in events, messages, Kubernetes Events, diff output or leftover temp files", async () => {
  const kube = testKube();
  try {
    seen.push(JSON.stringify((await kube.list("v1", "Event", { namespace: "flux-system" }).catch(() => ({ items: [] }))).items));
  } finally {
    kube.close();
  }
  assert.ok(plaintexts.length >= 10 && seen.length >= 10, "the tests above ran and produced output to scan");
  const needles = plaintexts.flatMap((p) => [p, b64(p)]);
  const leaks = (text: string): number => needles.filter((n) => text.includes(n)).length;
  assert.equal(seen.reduce((n, s) => n + leaks(s), 0), 0, "a plaintext value appears in engine events, messages, Kubernetes Events or diff output");

  assert.deepEqual(readdirSync(PRIVATE_TMPDIR).filter((n) => n.startsWith("plumbline-render-")), [], "render temp dirs left behind");
  let files = 0;
  const leaked: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 64 << 20) {
        files++;
        if (leaks(readFileSync(p, "latin1")) > 0) leaked.push(p.slice(PRIVATE_TMPDIR.length + 1));
      }
    }
  };
  walk(PRIVATE_TMPDIR);
  assert.ok(files > 0, "the engine's artifact cache is under the private TMPDIR");
  assert.deepEqual(leaked, [], "files under TMPDIR holding a plaintext value");
});

after(() => rmSync(PRIVATE_TMPDIR, { recursive: true, force: true }));
