/** `plumb sops encrypt|decrypt`: stdout, --in-place, recipients from --age or .sops.yaml, keys from the environment. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { runSopsCommand } from "../../../src/cli/commands/sops.ts";
import { newKey } from "./helpers.ts";

async function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runSopsCommand(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env, cwd });
  return { code, out, err };
}

const PLAIN = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: db\nstringData:\n    password: pw-123\n";

test("plumb sops: encrypt with --age, decrypt with SOPS_AGE_KEY / SOPS_AGE_KEY_FILE / XDG keys.txt, --in-place", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = await newKey();
  const b = await newKey();
  writeFileSync(join(dir, "secret.yaml"), PLAIN);
  const noKeys = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg") };

  const enc = await run(["encrypt", "secret.yaml", "--age", `${a.recipient},${b.recipient}`, "--encrypted-regex", "^(data|stringData)$"], noKeys, dir);
  assert.equal(enc.code, 0, enc.err);
  assert.ok(!enc.out.includes("pw-123"));
  assert.equal((parse(enc.out) as { sops: { age: unknown[] } }).sops.age.length, 2);
  writeFileSync(join(dir, "secret.enc.yaml"), enc.out);

  const viaEnv = await run(["decrypt", "secret.enc.yaml"], { ...noKeys, SOPS_AGE_KEY: a.identity }, dir);
  assert.equal(viaEnv.code, 0, viaEnv.err);
  assert.equal(viaEnv.out, PLAIN);

  writeFileSync(join(dir, "b.agekey"), `# public key: ${b.recipient}\n${b.identity}\n`);
  const viaFile = await run(["decrypt", "secret.enc.yaml"], { ...noKeys, SOPS_AGE_KEY_FILE: join(dir, "b.agekey") }, dir);
  assert.equal(viaFile.out, PLAIN);

  mkdirSync(join(dir, "xdg", "sops", "age"), { recursive: true });
  writeFileSync(join(dir, "xdg", "sops", "age", "keys.txt"), a.identity + "\n");
  const viaDefault = await run(["decrypt", "secret.enc.yaml"], noKeys, dir);
  assert.equal(viaDefault.out, PLAIN);

  const inPlace = await run(["decrypt", "-i", "secret.enc.yaml"], noKeys, dir);
  assert.equal(inPlace.code, 0);
  assert.equal(inPlace.out, "");
  assert.equal(readFileSync(join(dir, "secret.enc.yaml"), "utf8"), PLAIN);
  const reEnc = await run(["encrypt", "--in-place", "secret.enc.yaml", "--age", a.recipient], noKeys, dir);
  assert.equal(reEnc.code, 0, reEnc.err);
  assert.match(readFileSync(join(dir, "secret.enc.yaml"), "utf8"), /password: ENC\[AES256_GCM/);

  const again = await run(["encrypt", "secret.enc.yaml", "--age", a.recipient], noKeys, dir);
  assert.equal(again.code, 1);
  assert.match(again.err, /already encrypted/);
});

test("plumb sops: recipients, key groups and rules from the nearest .sops.yaml creation rule", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [a, b, c] = [await newKey(), await newKey(), await newKey()];
  writeFileSync(
    join(dir, ".sops.yaml"),
    `creation_rules:\n  - path_regex: groups/.*\\.yaml$\n    shamir_threshold: 2\n    key_groups:\n      - age: [${a.recipient}]\n      - age: [${b.recipient}]\n      - age: [${c.recipient}]\n  - path_regex: \\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${a.recipient},${b.recipient}\n`,
  );
  mkdirSync(join(dir, "apps", "groups"), { recursive: true });
  writeFileSync(join(dir, "apps", "s.yaml"), PLAIN);
  writeFileSync(join(dir, "apps", "groups", "g.yaml"), PLAIN);
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg") };

  const r1 = await run(["encrypt", "apps/s.yaml"], env, dir);
  assert.equal(r1.code, 0, r1.err);
  const d1 = parse(r1.out) as { kind: string; sops: Record<string, unknown> };
  assert.equal(d1.kind, "Secret", "encrypted_regex from the rule leaves kind in clear");
  assert.equal(d1.sops["encrypted_regex"], "^(data|stringData)$");
  assert.equal((d1.sops["age"] as unknown[]).length, 2);

  const r2 = await run(["encrypt", "-i", "apps/groups/g.yaml"], env, join(dir, "apps"));
  assert.equal(r2.code, 1, "path is resolved against cwd");
  const r3 = await run(["encrypt", "-i", "groups/g.yaml"], env, join(dir, "apps"));
  assert.equal(r3.code, 0, r3.err);
  const d3 = parse(readFileSync(join(dir, "apps", "groups", "g.yaml"), "utf8")) as { sops: Record<string, unknown> };
  assert.equal(d3.sops["shamir_threshold"], 2);
  const two = await run(["decrypt", "apps/groups/g.yaml"], { ...env, SOPS_AGE_KEY: `${a.identity}\n${c.identity}` }, dir);
  assert.equal(two.out, PLAIN);
  const one = await run(["decrypt", "apps/groups/g.yaml"], { ...env, SOPS_AGE_KEY: b.identity }, dir);
  assert.equal(one.code, 1);
  assert.match(one.err, /^plumb sops: apps\/groups\/g\.yaml: could decrypt 1 of the 2 key groups/);
});

test("plumb sops: errors are one line with exit code 1", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "plumb-sops-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, "xdg") };
  writeFileSync(join(dir, "p.env"), "A=1\n");
  const noRecipients = await run(["encrypt", "p.env"], env, dir);
  assert.equal(noRecipients.code, 1);
  assert.match(noRecipients.err, /^plumb sops: p\.env: no age recipients/);
  const notEncrypted = await run(["decrypt", "p.env"], env, dir);
  assert.equal(notEncrypted.code, 1);
  assert.match(notEncrypted.err, /sops metadata not found/);
  const a = await newKey();
  writeFileSync(join(dir, "e.env"), (await run(["encrypt", "p.env", "--age", a.recipient], env, dir)).out);
  const noKeys = await run(["decrypt", "e.env"], env, dir);
  assert.equal(noKeys.code, 1);
  assert.match(noKeys.err, /no age identities/);
  const missing = await run(["decrypt", "nope.yaml"], env, dir);
  assert.equal(missing.code, 1);
  const usage = await run(["frobnicate"], env, dir);
  assert.equal(usage.code, 1);
  assert.match(usage.err, /usage:/);
});
