/** Pure pieces: Shamir over GF(2^8), Go number formatting, go-yaml scalar resolution, metadata flattening. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { combine, mul, split } from "../../../src/render/sops/shamir.ts";
import { formatFloatF, formatFloatYaml } from "../../../src/render/sops/numbers.ts";
import { needsDoubleQuotes, resolvePlain } from "../../../src/render/sops/stores/yaml-resolve.ts";
import { flattenMetadata, unflattenMetadata } from "../../../src/render/sops/metadata.ts";
import { Branch } from "../../../src/render/sops/tree.ts";
import { formatFromPath, isSopsEncryptedValue } from "../../../src/render/sops/index.ts";

test("shamir: any threshold-sized subset recombines, fewer do not", () => {
  const secret = new Uint8Array(randomBytes(32));
  const parts = split(secret, 5, 3);
  assert.equal(parts.length, 5);
  assert.ok(parts.every((p) => p.length === 33));
  assert.equal(new Set(parts.map((p) => p[32])).size, 5, "distinct x coordinates");
  for (const idx of [[0, 1, 2], [4, 2, 0], [1, 3, 4], [0, 1, 2, 3, 4]]) assert.deepEqual(combine(idx.map((i) => parts[i] as Uint8Array)), secret);
  assert.notDeepEqual(combine([parts[0] as Uint8Array, parts[1] as Uint8Array]), secret);
  assert.throws(() => combine([parts[0] as Uint8Array, parts[0] as Uint8Array]), /duplicate part/);
  assert.throws(() => split(secret, 2, 3), /parts cannot be less than threshold/);
});

test("shamir: a share set computed by hand (x=1,2; f(x) = s + 7x in GF(2^8))", () => {
  // s = 0x53, a1 = 0x07: f(1) = 0x53 ^ 0x07 = 0x54; f(2) = 0x53 ^ mul(7,2) = 0x53 ^ 0x0e = 0x5d
  assert.deepEqual(combine([Uint8Array.of(0x54, 1), Uint8Array.of(0x5d, 2)]), Uint8Array.of(0x53));
});

test("shamir field: powers of 0xe5 reproduce the exp table sops/Vault's shamir uses", () => {
  const published = [0x01, 0xe5, 0x4c, 0xb5, 0xfb, 0x9f, 0xfc, 0x12, 0x03, 0x34, 0xd4, 0xc4, 0x16, 0xba, 0x1f, 0x36];
  let x = 1;
  const powers: number[] = [];
  for (let i = 0; i < published.length; i++) {
    powers.push(x);
    x = mul(x, 0xe5);
  }
  assert.deepEqual(powers, published);
});

test("Go float formatting", () => {
  assert.equal(formatFloatF(3.14), "3.14");
  assert.equal(formatFloatF(7), "7");
  assert.equal(formatFloatF(1e21), "1000000000000000000000");
  assert.equal(formatFloatF(1.5e-7), "0.00000015");
  assert.equal(formatFloatF(-0.5), "-0.5");
  assert.equal(formatFloatYaml(1234567), "1.234567e+06");
  assert.equal(formatFloatYaml(123456), "123456");
  assert.equal(formatFloatYaml(0.0001), "0.0001");
  assert.equal(formatFloatYaml(0.00001), "1e-05");
  assert.equal(formatFloatYaml(Infinity), ".inf");
  assert.equal(formatFloatYaml(NaN), ".nan");
});

test("go-yaml v3 plain scalar resolution and quoting", () => {
  assert.equal(resolvePlain("42"), 42n);
  assert.equal(resolvePlain("0x1F"), 31n);
  assert.equal(resolvePlain("0o17"), 15n);
  assert.equal(resolvePlain("017"), 15n);
  assert.equal(resolvePlain("1_000"), 1000n);
  assert.equal(resolvePlain("3.5"), 3.5);
  assert.equal(resolvePlain("1e3"), 1000);
  assert.equal(resolvePlain("true"), true);
  assert.equal(resolvePlain("yes"), "yes");
  assert.equal(resolvePlain("~"), null);
  assert.equal(resolvePlain("2024-01-02"), "2024-01-02");
  assert.equal(resolvePlain("0x629A673A8242c2AC4B7B8C5D8735fbeac21A6205"), "0x629A673A8242c2AC4B7B8C5D8735fbeac21A6205");
  for (const s of ["yes", "off", "123", "1.5", "true", "null", "", "2024-01-02T03:04:05Z", "1:20"]) assert.ok(needsDoubleQuotes(s), s);
  for (const s of ["hello", "0x629A673A8242c2AC4B7B8C5D8735fbeac21A6205", "a\nb\n"]) assert.ok(!needsDoubleQuotes(s), s);
});

test("metadata flattening for dotenv/INI is reversible", () => {
  const md = new Branch([
    { key: "age", value: [new Branch([{ key: "enc", value: "a\nb\n" }, { key: "recipient", value: "age1x" }])] },
    { key: "shamir_threshold", value: 2n },
    { key: "version", value: "3.13.3" },
  ]);
  const flat = flattenMetadata(md);
  assert.deepEqual(flat, [["age__list_0__map_enc", "a\\nb\\n"], ["age__list_0__map_recipient", "age1x"], ["shamir_threshold", "2"], ["version", "3.13.3"]]);
  assert.deepEqual(unflattenMetadata(flat), { age: [{ enc: "a\nb\n", recipient: "age1x" }], shamir_threshold: "2", version: "3.13.3" });
});

test("formatFromPath and isSopsEncryptedValue", () => {
  assert.equal(formatFromPath("a/b.yaml"), "yaml");
  assert.equal(formatFromPath("b.yml"), "yaml");
  assert.equal(formatFromPath("b.json"), "json");
  assert.equal(formatFromPath(".env"), "dotenv");
  assert.equal(formatFromPath("x.ini"), "ini");
  assert.equal(formatFromPath("x.YAML"), "binary");
  assert.equal(formatFromPath("id_rsa"), "binary");
  assert.ok(isSopsEncryptedValue("ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]"));
  assert.ok(!isSopsEncryptedValue("ENC[nope]"));
});
