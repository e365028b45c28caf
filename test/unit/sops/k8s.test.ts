/** decryptObject, decryptSecretValues and decryptGeneratorInputs: what Flux's kustomize-controller decrypts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statfsSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { DecryptionError } from "../../../src/core/errors.ts";
import { decryptGeneratorInputs, decryptObject, decryptSecretValues, encryptFile, parseAgeIdentities } from "../../../src/render/sops/index.ts";
import { plaintextDirOfProcess, PlaintextScratch } from "../../../src/render/sops/plaintext-dir.ts";
import { fixture, newKey, type KeyPair } from "./helpers.ts";

let key: KeyPair;
test.before(async () => {
  key = await newKey();
});

test("decryptObject: a built Secret (namespace added by the build) decrypts without its sops key", async () => {
  const enc = await encryptFile("apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: pw\n    port: 5432\n", "yaml", { recipients: [key.recipient], encryptedRegex: "^(data|stringData)$" }, "secret.yaml");
  const obj = parse(enc) as Record<string, unknown>;
  (obj["metadata"] as Record<string, unknown>)["namespace"] = "apps";
  const out = await decryptObject(obj, [key.identity], "Secret/apps/db");
  assert.deepEqual(out, { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "apps" }, stringData: { password: "pw", port: 5432 } });
  await assert.rejects(decryptObject(obj, [(await newKey()).identity], "Secret/apps/db"), (e: unknown) => e instanceof DecryptionError && /^Secret\/apps\/db: no identity matches/.test(e.message));
});

test("decryptObject on the published Flux fixture", async () => {
  const obj = parse(fixture("flux-kustomize-controller/secret.age.yaml")) as Record<string, unknown>;
  const ids = parseAgeIdentities(fixture("flux-kustomize-controller/age.txt"), "age.agekey");
  const out = await decryptObject(obj, ids, "Secret/sops-age");
  assert.deepEqual(out["stringData"], { secret: "my-sops-age-secret" });
  assert.equal("sops" in out, false);
});

test("decryptSecretValues: data values that are whole sops files, in the format of their key", async () => {
  const dotenv = await encryptFile("USER=admin\nPASS=pw\n", "dotenv", { recipients: [key.recipient] }, "app.env");
  const yaml = await encryptFile("a: 1\n", "yaml", { recipients: [key.recipient] }, "c.yaml");
  const json = await encryptFile('{"auths": {}}', "json", { recipients: [key.recipient] }, ".dockerconfigjson");
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s" },
    data: { "app.env": b64(dotenv), "config.yaml": b64(yaml), ".dockerconfigjson": b64(json), plain: b64("not encrypted") },
    stringData: { "inline.yaml": yaml },
  };
  const out = await decryptSecretValues(secret, [key.identity], "Secret/s");
  const data = out["data"] as Record<string, string>;
  const txt = (k: string): string => Buffer.from(data[k] ?? "", "base64").toString("utf8");
  assert.equal(txt("app.env"), "USER=admin\nPASS=pw\n");
  assert.equal(txt("config.yaml"), "a: 1\n");
  assert.equal(txt(".dockerconfigjson"), '{\n\t"auths": {}\n}\n');
  assert.equal(txt("plain"), "not encrypted");
  assert.equal((out["stringData"] as Record<string, string>)["inline.yaml"], "a: 1\n");
  assert.equal((secret.data as Record<string, string>)["app.env"], b64(dotenv), "input is not mutated");
  const other = await newKey();
  await assert.rejects(decryptSecretValues(secret, [other.identity], "Secret/s"), (e: unknown) => e instanceof DecryptionError && /^Secret\/s data\.app\.env: no identity matches/.test(e.message));
});

test("decryptGeneratorInputs: encrypted .env, files and nested kustomizations decrypted to tmpfs, the tree's files symlinks to them; escapes refused", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const scratch = new PlaintextScratch();
  t.after(() => scratch.remove());
  const env = await encryptFile("USER=admin\nPASS=s3cr3t\n", "dotenv", { recipients: [key.recipient] }, "secret.env");
  const cfg = await encryptFile("token: abc\n", "yaml", { recipients: [key.recipient] }, "config.yaml");
  mkdirSync(join(dir, "apps", "db"), { recursive: true });
  writeFileSync(join(dir, "apps", "secret.env"), env);
  writeFileSync(join(dir, "apps", "db", "config.yaml"), cfg);
  writeFileSync(join(dir, "apps", "db", "plain.txt"), "left alone\n");
  writeFileSync(join(dir, "apps", "kustomization.yaml"), "resources:\n  - db\nsecretGenerator:\n  - name: app\n    envs:\n      - secret.env\n");
  writeFileSync(join(dir, "apps", "db", "kustomization.yaml"), "secretGenerator:\n  - name: db\n    files:\n      - cfg.yaml=config.yaml\n      - plain.txt\n");
  await decryptGeneratorInputs(dir, [key.identity], scratch);
  assert.equal(readFileSync(join(dir, "apps", "secret.env"), "utf8"), "USER=admin\nPASS=s3cr3t\n");
  assert.equal(readFileSync(join(dir, "apps", "db", "config.yaml"), "utf8"), "token: abc\n");
  assert.equal(readFileSync(join(dir, "apps", "db", "plain.txt"), "utf8"), "left alone\n");
  for (const f of ["apps/secret.env", "apps/db/config.yaml"]) {
    assert.ok(lstatSync(join(dir, f)).isSymbolicLink(), `${f}: no plaintext in the tree`);
    const target = realpathSync(join(dir, f));
    assert.ok(target.startsWith(`${plaintextDirOfProcess()}/`), `${f}: plaintext in the process's tmpfs directory`);
    assert.equal(statfsSync(target).type, 0x01021994, "on tmpfs");
    assert.equal(statSync(target).mode & 0o777, 0o600);
  }
  assert.equal(statSync(plaintextDirOfProcess() as string).mode & 0o777, 0o700);
  assert.ok(!lstatSync(join(dir, "apps", "db", "plain.txt")).isSymbolicLink(), "a plain input is left alone");
  await decryptGeneratorInputs(dir, [key.identity], scratch); // idempotent: decrypted inputs are left alone
  const placed = realpathSync(join(dir, "apps", "secret.env"));
  await scratch.remove();
  assert.equal(existsSync(placed), false, "the render's plaintext is removed");

  writeFileSync(join(dir, "apps", "kustomization.yaml"), "secretGenerator:\n  - name: x\n    files:\n      - ../../outside.env\n");
  await assert.rejects(decryptGeneratorInputs(dir, [key.identity], scratch), (e: unknown) => e instanceof DecryptionError && /outside the source tree/.test(e.message));
  const outside = mkdtempSync(join(tmpdir(), "plumb-sops-outside-"));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, "x.env"), env);
  symlinkSync(join(outside, "x.env"), join(dir, "apps", "link.env"));
  writeFileSync(join(dir, "apps", "kustomization.yaml"), "secretGenerator:\n  - name: x\n    envs:\n      - link.env\n");
  await assert.rejects(decryptGeneratorInputs(dir, [key.identity], scratch), (e: unknown) => e instanceof DecryptionError && /resolves outside the source tree/.test(e.message));
  assert.equal(readFileSync(join(outside, "x.env"), "utf8"), env, "the file outside was not touched");
});

test("decryptGeneratorInputs: a wrong key names the file", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-gen-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "s.env"), await encryptFile("A=secret-value\n", "dotenv", { recipients: [key.recipient] }, "s.env"));
  writeFileSync(join(dir, "kustomization.yaml"), "secretGenerator:\n  - name: s\n    envs: [s.env]\n");
  await assert.rejects(decryptGeneratorInputs(dir, [(await newKey()).identity], new PlaintextScratch()), (e: unknown) => e instanceof DecryptionError && /^s\.env: no identity matches/.test(e.message) && !e.message.includes("secret-value"));
});

test("decryptObject accepts metadata whose lastmodified a YAML 1.1 parser turned into a Date", async () => {
  const obj = parse(fixture("flux-kustomize-controller/secret.age.yaml")) as Record<string, Record<string, unknown>>;
  (obj["sops"] as Record<string, unknown>)["lastmodified"] = new Date("2021-04-06T09:07:05Z");
  const out = await decryptObject(obj, parseAgeIdentities(fixture("flux-kustomize-controller/age.txt"), "age.agekey"), "Secret/sops-age");
  assert.deepEqual(out["stringData"], { secret: "my-sops-age-secret" });
});
