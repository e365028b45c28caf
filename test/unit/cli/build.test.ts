import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";
import { git } from "../../support/git-repo.ts";

const ROOT = join(import.meta.dirname, "../../..");

test("plumb build decrypts the example's encrypted Secrets with a local age key and prints them masked; without a key it says how to give one", async (t) => {
  const work = mkdtempSync(join(tmpdir(), "plumbline-build-test-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const repo = join(work, "fleet");
  cpSync(join(ROOT, "examples"), repo, { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "add", "-A");
  await git(repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "fleet");
  const run = async (...extra: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = "";
    let err = "";
    const code = await main(["build", "--source", repo, "--path", "apps/production", "--cache-dir", join(work, "cache"), ...extra], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: { PATH: process.env["PATH"] ?? "", HOME: work }, cwd: work });
    return { code, out, err };
  };
  const without = await run();
  assert.equal(without.code, 2);
  assert.match(without.err, /Secret\/apps\/api-credentials: .*--age-key-file/);

  const keyFile = join(ROOT, "demo-keys", "age.agekey");
  const built = await run("--age-key-file", keyFile);
  assert.equal(built.code, 0, built.err);
  assert.match(built.out, /name: api-credentials/);
  assert.match(built.out, /DB_PASSWORD: <redacted>/);
  assert.doesNotMatch(built.out, /ENC\[AES256_GCM/);
  assert.doesNotMatch(built.out + built.err, new RegExp(readFileSync(keyFile, "utf8").match(/AGE-SECRET-KEY-1[0-9A-Z]+/)?.[0] ?? "no key"));
});
