/**
 * Decrypted SOPS generator inputs never reach persistent disk and never outlive plumb: `plumb sync` is stopped
 * while kustomize is about to read them (a kustomize on PATH that waits on a FIFO the test holds: the moment is
 * awaited, not slept for). At that moment the plaintext exists only in plumb's private tmpfs directory; after
 * SIGTERM it exists nowhere; after SIGKILL it is only in the dead process's tmpfs directory, and the next start
 * removes that directory (and leaves a live process's alone).
 *
 * Plaintext values are random per run and only compared in memory, never printed.
 */
import { PRIVATE_TMPDIR } from "../support/private-tmpdir.ts"; // first: TMPDIR for everything below
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { test, type TestContext } from "node:test";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import type { KubeClient } from "../../src/kube/client.ts";
import { findKustomize } from "../../src/render/kustomize-binary.ts";
import { encryptFile } from "../../src/render/sops/index.ts";
import { PLAINTEXT_DIR_PREFIX } from "../../src/render/sops/plaintext-dir.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { kustomizationYaml } from "../support/engine.ts";
import { needlesOf, scanTree } from "./helpers/plaintext-scan.ts";
import { createRepo } from "../support/git-repo.ts";

const PLUMB = resolve(import.meta.dirname, "../../bin/plumb.js");
const SHM = "/dev/shm";

interface Fixture {
  kube: KubeClient;
  ns: string;
  work: string;
  repoDir: string;
  keyFile: string;
  secrets: string[];
}

async function fixture(t: TestContext, prefix: string): Promise<Fixture> {
  const { kube, ns, dir: work } = await testSetup(t, prefix);
  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  const keyFile = join(work, "age.agekey");
  writeFileSync(keyFile, `# created: by the test\n${identity}\n`, { mode: 0o600 });
  const dbPassword = `pw-${randomBytes(12).toString("hex")}`;
  const apiToken = `tok-${randomBytes(12).toString("hex")}`;
  const env = await encryptFile(`DB_USER=shop\nDB_PASSWORD=${dbPassword}\n`, "dotenv", { recipients: [recipient] }, "db.sops.env");
  const token = await encryptFile(`token: ${apiToken}\nscopes: [read, write]\n`, "yaml", { recipients: [recipient] }, "api.sops.yaml");
  const repo = await createRepo({
    "clusters/prod/shop.yaml": kustomizationYaml("shop", ns, "./apps/shop", "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"),
    "apps/shop/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - settings.yaml
secretGenerator:
  - name: db
    envs:
      - db.sops.env
  - name: api
    files:
      - api.yaml=api.sops.yaml
`,
    "apps/shop/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n",
    "apps/shop/db.sops.env": env,
    "apps/shop/api.sops.yaml": token,
  });
  t.after(() => repo.remove());
  return { kube, ns, work, repoDir: repo.dir, keyFile, secrets: [dbPassword, apiToken] };
}

/** A kustomize that, for the shop's build, says so on one FIFO and waits on another before running the real one. */
function gatedKustomize(work: string): { binDir: string; ready: string; gate: string } {
  const real = findKustomize();
  const binDir = join(work, "bin");
  mkdirSync(binDir);
  const ready = join(work, "ready.fifo");
  const gate = join(work, "gate.fifo");
  execFileSync("mkfifo", [ready, gate]);
  const run = real.args[0] === "build" ? `exec "${real.cmd}" "$@"` : `shift; exec "${real.cmd}" ${real.args.map((a) => `"${a}"`).join(" ")} "$@"`;
  writeFileSync(join(binDir, "kustomize"), `#!/bin/sh
if [ -n "$PLUMB_TEST_GATE" ] && [ -e "$2/db.sops.env" ]; then
  echo $$ > "$PLUMB_TEST_READY"
  read _ < "$PLUMB_TEST_GATE"
fi
${run}
`);
  chmodSync(join(binDir, "kustomize"), 0o755);
  return { binDir, ready, gate };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

function startSync(f: Fixture, tmp: string, env: Record<string, string> = {}): { pid: number; exited: Promise<Exit> } {
  const child = spawn(process.execPath, [PLUMB, "sync", "--source", f.repoDir, "--path", "clusters/prod", "--namespace", f.ns, "--cache-dir", join(f.work, "cache"), "--age-key-file", f.keyFile], {
    env: { ...process.env, KUBECONFIG: testKubeconfig(), TMPDIR: tmp, XDG_CACHE_HOME: join(f.work, "xdg-cache"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  return { pid: child.pid as number, exited: new Promise((res) => child.on("close", (code, signal) => res({ code, signal, out, err }))) };
}

/** Regular files under `root` (symlinks not followed) that hold one of `secrets`, as plain text or base64. */
const filesHolding = (root: string, secrets: readonly string[]): string[] => scanTree(root, needlesOf(secrets)).leaked;

const plaintextDirsOf = (pid: number): string[] => readdirSync(SHM).filter((n) => n.startsWith(`${PLAINTEXT_DIR_PREFIX}${pid}-`)).map((n) => join(SHM, n));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a sync that stops inside the shop's render, with the plaintext on tmpfs; returns once it is there. */
async function syncHeldInRender(t: TestContext, f: Fixture, tmp: string): Promise<{ pid: number; exited: Promise<Exit>; kustomizePid: number }> {
  const g = gatedKustomize(f.work);
  const run = startSync(f, tmp, { PATH: `${g.binDir}:${process.env["PATH"] ?? ""}`, PLUMB_TEST_GATE: g.gate, PLUMB_TEST_READY: g.ready });
  const ready = readFile(g.ready, "utf8"); // opening the FIFO waits for the writer
  const first = await Promise.race([ready, run.exited]);
  if (typeof first !== "string") assert.fail(`plumb exited before kustomize ran: ${first.code} ${first.err}`);
  const kustomizePid = Number(first.trim());
  t.after(() => {
    if (alive(kustomizePid)) process.kill(kustomizePid, "SIGTERM"); // the waiting kustomize of a killed plumb
  });
  return { ...run, kustomizePid };
}

test("plumb sync SIGTERMed while kustomize reads decrypted inputs: they were on tmpfs only, and after exit 143 they are nowhere", async (t) => {
  const f = await fixture(t, "plain-term");
  const tmp = mkdtempSync(join(PRIVATE_TMPDIR, "child-"));
  const run = await syncHeldInRender(t, f, tmp);

  const dirs = plaintextDirsOf(run.pid);
  assert.equal(dirs.length, 1, "one private tmpfs directory, named with plumb's pid");
  const dir = dirs[0] as string;
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(filesHolding(dir, f.secrets.slice(0, 1)).length, 1, "the decrypted env file is there while kustomize runs");
  assert.equal(filesHolding(dir, f.secrets.slice(1)).length, 1, "and the decrypted file input");
  assert.deepEqual([...filesHolding(tmp, f.secrets), ...filesHolding(f.work, f.secrets)], [], "no plaintext under the temp dir, the cache dirs or the work dir");

  process.kill(run.pid, "SIGTERM");
  const done = await run.exited;
  assert.equal(done.code, 143, done.err);
  assert.match(done.out, /interrupted by SIGTERM during the render, nothing applied/);
  assert.deepEqual(plaintextDirsOf(run.pid), [], "the tmpfs directory is removed");
  assert.deepEqual([...filesHolding(tmp, f.secrets), ...filesHolding(f.work, f.secrets), ...filesHolding(SHM, f.secrets)], []);
  assert.ok(readdirSync(tmp).every((n) => !n.startsWith("plumbline-render-")), "the render's private copy is removed");
  assert.ok(!f.secrets.some((s) => done.out.includes(s) || done.err.includes(s)));
});

test("plumb sync SIGKILLed while kustomize reads decrypted inputs: plaintext only in the dead pid's tmpfs directory, removed at the next start", async (t) => {
  const f = await fixture(t, "plain-kill");
  const tmp = mkdtempSync(join(PRIVATE_TMPDIR, "child-"));
  const live = mkdtempSync(join(SHM, `${PLAINTEXT_DIR_PREFIX}${process.pid}-`)); // a live process's: must stay
  t.after(() => rmSync(live, { recursive: true, force: true }));
  const run = await syncHeldInRender(t, f, tmp);
  process.kill(run.pid, "SIGKILL");
  assert.equal((await run.exited).signal, "SIGKILL");
  process.kill(run.kustomizePid, "SIGTERM"); // the kustomize left waiting on the gate
  const left = plaintextDirsOf(run.pid);
  assert.equal(left.length, 1, "SIGKILL runs no exit hook: the directory stays until the next start");
  t.after(() => {
    for (const d of left) rmSync(d, { recursive: true, force: true });
  });
  assert.equal(filesHolding(left[0] as string, f.secrets).length, 2);
  assert.deepEqual([...filesHolding(tmp, f.secrets), ...filesHolding(f.work, f.secrets)], [], "never under the temp dir, the cache dirs or the work dir");

  // test files run in parallel, and any plumb start sweeps every dead pid's directory: another file's run may take it first
  const stillThere = plaintextDirsOf(run.pid).length === 1;
  const next = startSync(f, tmp);
  const done = await next.exited;
  assert.equal(done.code, 0, done.err);
  if (stillThere) assert.match(done.err, /removed decrypted SOPS inputs \(\d+ director(y|ies)\) left by processes no longer running/);
  assert.deepEqual(plaintextDirsOf(run.pid), [], "the dead process's plaintext is removed at the next start");
  assert.deepEqual(plaintextDirsOf(next.pid), [], "and the next run's own on its exit");
  assert.ok(statSync(live).isDirectory(), "a live process's directory is left alone");
  assert.deepEqual([...filesHolding(tmp, f.secrets), ...filesHolding(f.work, f.secrets), ...filesHolding(SHM, f.secrets)], []);
  const db = (await f.kube.list("v1", "Secret", { namespace: f.ns })).items.find((o) => o.metadata.name?.startsWith("db-"));
  assert.ok(db, "the generated Secret exists");
  const password = Buffer.from(((db["data"] ?? {}) as Record<string, string>)["DB_PASSWORD"] ?? "", "base64").toString("utf8");
  assert.ok(password === f.secrets[0], "decrypted as before");
});
