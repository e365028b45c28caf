/** Every bad input gives a DecryptionError that starts with the file name and carries no plaintext or key material. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecryptionError } from "../../../src/core/errors.ts";
import { decryptFile, encryptFile, parseAgeIdentities, type SopsFormat } from "../../../src/render/sops/index.ts";
import { newKey, type KeyPair } from "./helpers.ts";

const PLAIN = "user: admin\npassword: hunter2-very-secret\nlist:\n    - item-secret\n";
const SECRET_WORDS = ["hunter2", "item-secret", "admin"];

let key: KeyPair;
let other: KeyPair;
let encrypted: string;
test.before(async () => {
  key = await newKey();
  other = await newKey();
  encrypted = await encryptFile(PLAIN, "yaml", { recipients: [key.recipient] }, "app.enc.yaml");
});

async function expectError(text: string, pattern: RegExp, format: SopsFormat = "yaml", ids: string[] = [key.identity]): Promise<void> {
  await assert.rejects(decryptFile(text, format, ids, "app.enc.yaml"), (e: unknown) => {
    assert.ok(e instanceof DecryptionError, `expected DecryptionError, got ${String(e)}`);
    assert.ok(e.message.startsWith("app.enc.yaml: "), e.message);
    assert.match(e.message, pattern);
    for (const w of SECRET_WORDS) assert.ok(!e.message.includes(w), `message leaks ${w}: ${e.message}`);
    assert.ok(!e.message.includes("AGE-SECRET-KEY"), "message leaks key material");
    assert.equal(e.file, "app.enc.yaml");
    return true;
  });
}

test("no identity matches", async () => {
  await expectError(encrypted, /no identity matches any of the file's age recipients \(age1/, "yaml", [other.identity]);
});

test("no identities at all", async () => {
  await expectError(encrypted, /no age identities/, "yaml", []);
});

test("the matching identity cannot open a corrupted age stanza (wrong key / corrupted)", async () => {
  const lines = encrypted.split("\n");
  const i = lines.findIndex((l) => l.includes("-----BEGIN AGE ENCRYPTED FILE-----"));
  const body = lines[i + 3] ?? "";
  const at = body.search(/\S/) + 20;
  lines[i + 3] = body.slice(0, at) + (body[at] === "A" ? "B" : "A") + body.slice(at + 1);
  await expectError(lines.join("\n"), /could not be decrypted with its identity|not a valid armored age file/);
});

test("corrupted value", async () => {
  const corrupted = encrypted.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_, p: string, c: string) => p + (c === "A" ? "B" : "A"));
  assert.notEqual(corrupted, encrypted);
  await expectError(corrupted, /^app\.enc\.yaml: password: could not decrypt value with AES-GCM/);
  await expectError(encrypted.replace(/(password: ENC\[AES256_GCM,data:)/, "$1!!"), /password: corrupted encrypted value \(data is not valid base64\)/);
  await expectError(encrypted.replace(/password: ENC\[[^\n]*/, "password: ENC[AES256_GCM,nonsense]"), /password: value is not in sops' ENC/);
  await expectError(encrypted.replace(/password: ENC\[[^\n]*/, "password: hunter2-very-secret"), /password: value is not in sops' ENC/);
  await expectError(encrypted.replace(/(password: ENC\[[^\n]*),type:str\]/, "$1,type:weird]"), /unknown encrypted value type/);
});

test("MAC mismatch: a value removed, lastmodified changed, MAC emptied", async () => {
  const removed = encrypted.replace(/\n {4}- ENC\[[^\n]*/, "\n    - ''");
  await expectError(removed, /MAC mismatch/);
  await expectError(encrypted.replace(/lastmodified: "[^"]+"/, 'lastmodified: "2000-01-01T00:00:00Z"'), /MAC mismatch/);
  await expectError(encrypted.replace(/mac: ENC\[[^\n]*/, 'mac: ""'), /MAC mismatch: the file has no MAC/);
});

test("unknown format", async () => {
  await expectError(encrypted, /unknown format "toml"/, "toml" as SopsFormat);
});

test("malformed metadata and documents", async () => {
  await expectError("user: admin\n", /sops metadata not found/);
  await expectError("user: admin\nsops: just-a-string\n", /sops entry is not a mapping/);
  await expectError(encrypted.replace(/lastmodified: "[^"]+"/, "lastmodified: yesterday"), /lastmodified is not an RFC 3339 timestamp/);
  await expectError(encrypted.replace(/\n {4}age:\n(?: {8}.*\n| {12}.*\n)+/, "\n"), /no keys found/);
  await expectError(encrypted.replace("unencrypted_suffix: _unencrypted", "unencrypted_suffix: _unencrypted\n    encrypted_regex: x"), /more than one of/);
  await expectError("user: [unclosed\n", /invalid YAML/);
  await expectError('{"user": "admin", ', /invalid JSON/, "json");
  await expectError("password=hunter2\nno equals here\n", /invalid dotenv input: line 2/, "dotenv");
  await expectError("- a\n- b\n", /sequences are not supported/);
});

test("parseAgeIdentities", () => {
  assert.deepEqual(parseAgeIdentities(`# created: now\n# public key: ${key.recipient}\n${key.identity}\n\n${other.identity}\n`, "keys.agekey"), [key.identity, other.identity]);
  assert.throws(() => parseAgeIdentities("# only comments\n", "flux-system/sops-age age.agekey"), (e: unknown) => e instanceof DecryptionError && e.message === "flux-system/sops-age age.agekey: no age identity (AGE-SECRET-KEY-1...) found");
  assert.throws(() => parseAgeIdentities(`${key.identity}\nnot-a-key ${key.identity}\n`, "k.agekey"), (e: unknown) => e instanceof DecryptionError && /^k\.agekey: line 2 is not an age identity/.test(e.message) && !e.message.includes("AGE-SECRET-KEY-1Q") && !e.message.includes(key.identity));
});
