/** Interoperability of the age layer with Debian's `age` / `age-keygen` binaries. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createDecipheriv } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { decryptFile, encryptFile, parseAgeIdentities } from "../../../src/render/sops/index.ts";
import { newKey } from "./helpers.ts";

const hasAge = spawnSync("age", ["--version"]).status === 0 && spawnSync("age-keygen", ["-y", "/dev/null"]).error === undefined;

function aesGcmOpen(value: string, key: Buffer, aad: string): string {
  const m = /^ENC\[AES256_GCM,data:(.*),iv:(.*),tag:(.*),type:str\]$/.exec(value);
  assert.ok(m);
  const d = createDecipheriv("aes-256-gcm", key, Buffer.from(m[2] ?? "", "base64"));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(m[3] ?? "", "base64"));
  return Buffer.concat([d.update(Buffer.from(m[1] ?? "", "base64")), d.final()]).toString("utf8");
}

test("age CLI: a key from age-keygen decrypts our data key, and a data key wrapped by `age -a` decrypts with our code", { skip: !hasAge && "age is not installed" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-age-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "key.txt");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "pipe" });
  const recipient = execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim();
  const identities = parseAgeIdentities(readFileSync(keyFile, "utf8"), keyFile);

  // We encrypt to the age-keygen recipient; the age CLI unwraps the data key, which opens our values.
  const plain = "db:\n    password: s3cr3t\n";
  const enc = await encryptFile(plain, "yaml", { recipients: [recipient] }, "app.yaml");
  const md = (parse(enc) as { sops: { age: { enc: string; recipient: string }[] } }).sops;
  assert.equal(md.age[0]?.recipient, recipient);
  const dataKey = execFileSync("age", ["-d", "-i", keyFile], { input: md.age[0]?.enc ?? "" });
  assert.equal(dataKey.length, 32);
  const value = (parse(enc) as { db: { password: string } }).db.password;
  assert.equal(aesGcmOpen(value, dataKey, "db:password:"), "s3cr3t");
  assert.equal(await decryptFile(enc, "yaml", identities, "app.yaml"), plain);

  // The age CLI wraps that data key for one of our keys; our code unwraps it and decrypts the file.
  const ours = await newKey();
  const wrapped = execFileSync("age", ["-a", "-r", ours.recipient], { input: dataKey, encoding: "utf8" });
  const indented = wrapped.trimEnd().split("\n").map((l) => "              " + l).join("\n");
  const swapped = enc.replace(/ {10}recipient: age1\S+/, `          recipient: ${ours.recipient}`).replace(/(enc: \|\n)(?: {14}.*\n)+/, `$1${indented}\n`);
  assert.notEqual(swapped, enc);
  assert.equal(await decryptFile(swapped, "yaml", [ours.identity], "app.yaml"), plain);
});
