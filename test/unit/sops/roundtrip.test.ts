/** encrypt then decrypt gives the original text exactly, for every format and value type; recipients and Shamir key groups. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { DecryptionError } from "../../../src/core/errors.ts";
import { decryptFile, encryptFile, hasSopsMetadata, type SopsFormat } from "../../../src/render/sops/index.ts";
import { newKey, type KeyPair } from "./helpers.ts";

const YAML_DOC = `# head comment
apiVersion: v1
kind: Secret
metadata:
    name: app # inline comment
data:
    str: hello world
    int: 42
    neg: -7
    float: 3.5
    big: 1.234567e+06
    bool: true
    "off": false
    empty: ""
    nothing: null
    quoted: "123"
    date: "2024-01-02"
    multi: |
        line one
        line two
    list:
        - a
        - 1
        - 2.5
        - false
        - nested: x
    # comment before key
    last: value
`;

const JSON_DOC = `{
\t"name": "x",
\t"n": 42,
\t"f": 0.5,
\t"t": true,
\t"nil": null,
\t"list": [
\t\t1,
\t\t"two",
\t\t{
\t\t\t"three": 3
\t\t}
\t],
\t"empty": {},
\t"emptyList": [],
\t"html": "\\u003ca\\u0026b\\u003e \\"q\\" \\\\ \\n"
}
`;

const DOTENV_DOC = "# a comment\nA=1\nB=hello world\nC=multi\\nline\nEMPTY=\nURL=https://x.example/?a=b\n";
const INI_DOC = "top = 1\n\n; section comment\n[section]\n; key comment\nkey   = value\nother = x y\n\n[second]\nz = 3.5\n";
const BINARY_DOC = "line one\nline two with ünïcödé\n\ttabbed\n";

const CASES: [SopsFormat, string][] = [
  ["yaml", YAML_DOC],
  ["json", JSON_DOC],
  ["dotenv", DOTENV_DOC],
  ["ini", INI_DOC],
  ["binary", BINARY_DOC],
];

let keyA: KeyPair;
test.before(async () => {
  keyA = await newKey();
});

for (const [format, doc] of CASES) {
  test(`${format}: encrypt then decrypt is the identity`, async () => {
    const enc = await encryptFile(doc, format, { recipients: [keyA.recipient] }, `in.${format}`);
    assert.ok(hasSopsMetadata(enc, format), "encrypted output carries sops metadata");
    assert.ok(!hasSopsMetadata(doc, format), "plaintext has none");
    assert.ok(enc.includes("ENC[AES256_GCM,data:"));
    for (const secret of ["hello world", "line one", "ünïcödé", "head comment", "key comment", "x y"]) {
      assert.ok(!enc.includes(secret), `plaintext ${JSON.stringify(secret)} must not appear in the encrypted ${format}`);
    }
    assert.equal(await decryptFile(enc, format, [keyA.identity], `in.${format}`), doc);
  });
}

test("yaml: every value type gets its sops type tag, comments are encrypted", async () => {
  const enc = await encryptFile(YAML_DOC, "yaml", { recipients: [keyA.recipient] }, "types.yaml");
  for (const t of ["str", "int", "float", "bool", "comment"]) assert.match(enc, new RegExp(`type:${t}\\]`));
  assert.match(enc, /^#ENC\[AES256_GCM,data:.*type:comment\]$/m);
  const doc = parse(enc) as { sops: Record<string, unknown>; data: Record<string, unknown> };
  assert.equal(doc.data["nothing"], null, "null stays null");
  assert.equal(doc.data["empty"], "", "empty strings stay empty, as in sops");
  assert.equal(doc.sops["unencrypted_suffix"], "_unencrypted");
  assert.match(String(doc.sops["lastmodified"]), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.match(String(doc.sops["mac"]), /^ENC\[AES256_GCM,.*type:str\]$/);
  assert.deepEqual(Object.keys(doc.sops), ["age", "lastmodified", "mac", "unencrypted_suffix", "version"]);
});

test("a value of sops type bytes decrypts to its string (the type tag is not authenticated, as in sops)", async () => {
  const enc = await encryptFile("a: some bytes\n", "yaml", { recipients: [keyA.recipient] }, "b.yaml");
  const asBytes = enc.replace(/^(a: ENC\[[^\]]*),type:str\]/m, "$1,type:bytes]");
  assert.notEqual(asBytes, enc);
  assert.equal(await decryptFile(asBytes, "yaml", [keyA.identity], "b.yaml"), "a: some bytes\n");
});

test("several recipients: each key alone decrypts, a stranger's does not", async () => {
  const keys = [keyA, await newKey(), await newKey()];
  const enc = await encryptFile(YAML_DOC, "yaml", { recipients: keys.map((k) => k.recipient) }, "multi.yaml");
  for (const k of keys) assert.equal(await decryptFile(enc, "yaml", [k.identity], "multi.yaml"), YAML_DOC);
  const stranger = await newKey();
  await assert.rejects(decryptFile(enc, "yaml", [stranger.identity], "multi.yaml"), (e: unknown) => e instanceof DecryptionError && /^multi\.yaml: no identity matches any of the file's age recipients/.test(e.message));
});

test("Shamir key groups, threshold 2 of 3: any two keys decrypt, one does not", async () => {
  const keys = [keyA, await newKey(), await newKey()];
  for (const format of ["yaml", "dotenv", "json"] as const) {
    const doc = format === "yaml" ? YAML_DOC : format === "json" ? JSON_DOC : DOTENV_DOC;
    const enc = await encryptFile(doc, format, { recipients: [], keyGroups: keys.map((k) => [k.recipient]), shamirThreshold: 2 }, `s.${format}`);
    if (format === "yaml") {
      const md = (parse(enc) as { sops: Record<string, unknown> }).sops;
      assert.equal(md["shamir_threshold"], 2);
      assert.equal((md["key_groups"] as unknown[]).length, 3);
    }
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
      assert.equal(await decryptFile(enc, format, [(keys[i] as KeyPair).identity, (keys[j] as KeyPair).identity], `s.${format}`), doc);
    }
    for (const k of keys) {
      await assert.rejects(decryptFile(enc, format, [k.identity], `s.${format}`), (e: unknown) => e instanceof DecryptionError && /could decrypt 1 of the 2 key groups needed/.test(e.message));
    }
  }
});

test("multi-document YAML round-trips", async () => {
  const doc = "a: 1\n---\nb: two\n";
  const enc = await encryptFile(doc, "yaml", { recipients: [keyA.recipient] }, "m.yaml");
  assert.equal(enc.split("\n---\n").length, 2);
  assert.equal(await decryptFile(enc, "yaml", [keyA.identity], "m.yaml"), doc);
});
