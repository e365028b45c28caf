/** encrypted_regex, unencrypted_regex, encrypted_suffix, unencrypted_suffix and mac_only_encrypted behave as in sops. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { DecryptionError } from "../../../src/core/errors.ts";
import { decryptFile, encryptFile, isSopsEncryptedValue } from "../../../src/render/sops/index.ts";
import { newKey, type KeyPair } from "./helpers.ts";

const SECRET = `apiVersion: v1
kind: Secret
metadata:
    name: app
    labels:
        tier: backend
stringData:
    user: admin
    password: hunter2
    nested:
        deep: value
settings:
    password_unencrypted: visible
    plain_unencrypted:
        inner: also visible
    token_secret: hidden
    other: maybe
`;

let key: KeyPair;
test.before(async () => {
  key = await newKey();
});

type Doc = Record<string, Record<string, unknown>>;
const enc = (v: unknown): boolean => typeof v === "string" && isSopsEncryptedValue(v);

test("default: everything encrypted except keys ending in _unencrypted (and everything below them)", async () => {
  const out = await encryptFile(SECRET, "yaml", { recipients: [key.recipient] }, "s.yaml");
  const d = parse(out) as Doc;
  assert.ok(enc(d["kind"]));
  assert.ok(enc(d["metadata"]?.["name"]));
  assert.equal(d["settings"]?.["password_unencrypted"], "visible");
  assert.deepEqual(d["settings"]?.["plain_unencrypted"], { inner: "also visible" });
  assert.ok(enc(d["settings"]?.["token_secret"]));
  assert.equal(await decryptFile(out, "yaml", [key.identity], "s.yaml"), SECRET);
});

test("encrypted_regex ^(data|stringData)$: only those subtrees; the MAC still covers the plaintext values", async () => {
  const out = await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "^(data|stringData)$" }, "s.yaml");
  const d = parse(out) as Doc;
  assert.equal(d["kind"], "Secret");
  assert.equal(d["metadata"]?.["name"], "app");
  assert.ok(enc(d["stringData"]?.["user"]));
  assert.ok(enc((d["stringData"]?.["nested"] as Record<string, unknown>)["deep"]));
  assert.equal(d["settings"]?.["token_secret"], "hidden");
  assert.equal((d["sops"] as unknown as Record<string, unknown>)["encrypted_regex"], "^(data|stringData)$");
  assert.equal(await decryptFile(out, "yaml", [key.identity], "s.yaml"), SECRET);
  const tampered = out.replace("    name: app\n", "    name: evil\n");
  assert.notEqual(tampered, out);
  await assert.rejects(decryptFile(tampered, "yaml", [key.identity], "s.yaml"), (e: unknown) => e instanceof DecryptionError && /^s\.yaml: MAC mismatch/.test(e.message));
});

test("unencrypted_regex and encrypted_suffix", async () => {
  const a = parse(await encryptFile(SECRET, "yaml", { recipients: [key.recipient], unencryptedRegex: "^(apiVersion|kind|metadata)$" }, "s.yaml")) as Doc;
  assert.equal(a["kind"], "Secret");
  assert.equal(a["metadata"]?.["name"], "app");
  assert.ok(enc(a["stringData"]?.["password"]));
  const b = parse(await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedSuffix: "_secret" }, "s.yaml")) as Doc;
  assert.ok(enc(b["settings"]?.["token_secret"]));
  assert.equal(b["settings"]?.["other"], "maybe");
  assert.equal(b["stringData"]?.["password"], "hunter2");
});

test("mac_only_encrypted: the MAC covers only encrypted values, so plaintext values may change", async () => {
  const out = await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "^stringData$", macOnlyEncrypted: true }, "s.yaml");
  assert.equal((parse(out) as Doc)["sops"]?.["mac_only_encrypted"], true);
  const relabelled = out.replace("tier: backend", "tier: frontend");
  assert.equal(await decryptFile(relabelled, "yaml", [key.identity], "s.yaml"), SECRET.replace("tier: backend", "tier: frontend"));
  // Dropping the flag changes how the MAC is computed, so the file no longer verifies.
  const flagDropped = out.replace(/\n {4}mac_only_encrypted: true/, "");
  await assert.rejects(decryptFile(flagDropped, "yaml", [key.identity], "s.yaml"), /MAC mismatch/);
  // Without the flag, the same plaintext change is caught.
  const strict = await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "^stringData$" }, "s.yaml");
  await assert.rejects(decryptFile(strict.replace("tier: backend", "tier: frontend"), "yaml", [key.identity], "s.yaml"), /MAC mismatch/);
});

test("only one encryption rule may be set", async () => {
  await assert.rejects(encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "a", unencryptedSuffix: "_x" }, "s.yaml"), (e: unknown) => e instanceof DecryptionError && /^s\.yaml: only one of/.test(e.message));
});

test("values move between keys: AES-GCM binds each value to its key path", async () => {
  const out = await encryptFile("a: one\nb: two\n", "yaml", { recipients: [key.recipient] }, "p.yaml");
  const lines = out.split("\n");
  const swapped = [lines[1]?.replace(/^b:/, "a:"), lines[0]?.replace(/^a:/, "b:"), ...lines.slice(2)].join("\n");
  await assert.rejects(decryptFile(swapped, "yaml", [key.identity], "p.yaml"), (e: unknown) => e instanceof DecryptionError && /^p\.yaml: a: could not decrypt value/.test(e.message) && !/one|two/.test(e.message));
});
