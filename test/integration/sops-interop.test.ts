/**
 * SOPS interoperability with the real tools: files made by the real `sops` binary (age recipients, keys made by
 * the real `age-keygen`) decrypt with Plumbline, in every format and through a sync against the control plane;
 * and files Plumbline encrypts (the library and `plumb sops encrypt`) decrypt with the real `sops`.
 * The binaries are found as Plumbline finds them (PATH, else the tools cache built by scripts/build-tools.sh,
 * which npm test's pretest runs). Keys travel in memory and through SOPS_AGE_KEY, never in argv or on disk;
 * plaintext goes to sops on stdin and comes back on stdout.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { main } from "../../src/cli/main.ts";
import { requireTool } from "../../src/render/tool-finder.ts";
import { decryptFile, encryptFile, parseAgeIdentities, type SopsFormat } from "../../src/render/sops/index.ts";
import { testSetup } from "../support/cluster.ts";
import { kustomizationYaml, syncOnce } from "../support/engine.ts";
import { createRepo } from "../support/git-repo.ts";

const sopsBin = requireTool("sops").path;
const keygenBin = requireTool("age-keygen").path;

/** A directory with no .sops.yaml above it unless a test writes one. */
const work = mkdtempSync(join(tmpdir(), "plumb-sops-interop-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

function run(cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}, cwd = work): Promise<string> {
  return new Promise((resolve, reject) => {
    // Only PATH and HOME pass through: no SOPS_* or key settings of the machine running the tests.
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env["PATH"] ?? "", HOME: work, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString("utf8"); });
    child.stderr.on("data", (d: Buffer) => { err += d.toString("utf8"); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.trim().split("\n").slice(-3).join("; ")}`))));
    child.stdin.end(input);
  });
}

interface Key {
  identity: string;
  recipient: string;
}
/** A key from the real age-keygen, kept in memory (its stdout). */
async function keygen(): Promise<Key> {
  const text = await run(keygenBin, [], "");
  const recipient = /^# public key: (age1\S+)$/m.exec(text)?.[1];
  assert.ok(recipient, "age-keygen printed a public key");
  const [identity] = parseAgeIdentities(text, "age-keygen");
  assert.ok(identity !== undefined && identity.startsWith("AGE-SECRET-KEY-1"), "age-keygen printed an identity");
  return { identity, recipient };
}

const TYPE: Record<SopsFormat, string> = { yaml: "yaml", json: "json", dotenv: "dotenv", ini: "ini", binary: "binary" };
const sopsEncrypt = (text: string, format: SopsFormat, name: string, extra: string[], cwd = work): Promise<string> =>
  run(sopsBin, ["encrypt", "--input-type", TYPE[format], "--output-type", TYPE[format], "--filename-override", name, ...extra], text, {}, cwd);
const sopsDecrypt = (text: string, format: SopsFormat, name: string, keys: Key[]): Promise<string> =>
  run(sopsBin, ["decrypt", "--input-type", TYPE[format], "--output-type", TYPE[format], "--filename-override", name], text, { SOPS_AGE_KEY: keys.map((k) => k.identity).join("\n") });

const secret = (): string => randomBytes(9).toString("hex");

/** Each format's plaintext and how two of its texts are judged the same (sops re-indents YAML; ini spacing may differ). */
function samples(): { format: SopsFormat; name: string; plain: string; same: (a: string, b: string) => void; flags?: string[] }[] {
  const structured = (a: string, b: string): void => assert.deepEqual(parse(a), parse(b));
  const ini = (s: string): string[] => s.split("\n").map((l) => l.replace(/\s*=\s*/, "=").trim()).filter(Boolean);
  return [
    {
      format: "yaml", name: "db.sops.yaml", flags: ["--encrypted-regex", "^(data|stringData)$"], same: structured,
      plain: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels:\n    tier: db\ntype: Opaque\nstringData:\n  password: ${secret()}\n  port: "5432"\ndata:\n  token: ${Buffer.from(secret()).toString("base64")}\n`,
    },
    { format: "yaml", name: "values.yaml", same: structured, plain: `replicas: 3\nratio: 0.5\nenabled: true\nlist:\n  - ${secret()}\n  - 2\nnested:\n  deep:\n    key: ${secret()}\n` },
    { format: "json", name: "config.json", same: structured, plain: JSON.stringify({ user: "app", password: secret(), n: 42, on: false, tags: ["a", secret()] }, null, 2) + "\n" },
    { format: "dotenv", name: "app.env", same: (a, b) => assert.equal(a, b), plain: `TOKEN=${secret()}\nAPI_KEY=${secret()}\n` },
    { format: "ini", name: "settings.ini", same: (a, b) => assert.deepEqual(ini(a), ini(b)), plain: `[db]\nuser = app\npassword = ${secret()}\n` },
    { format: "binary", name: "cert.pem", same: (a, b) => assert.equal(a, b), plain: `-----BEGIN SECRET-----\n${secret()}\n-----END SECRET-----\n` },
  ];
}

test("files the real sops encrypts for a key from the real age-keygen decrypt with Plumbline, in every format", async () => {
  const key = await keygen();
  for (const s of samples()) {
    const enc = await sopsEncrypt(s.plain, s.format, s.name, ["--age", key.recipient, ...(s.flags ?? [])]);
    for (const v of s.plain.match(/[0-9a-f]{18}/g) ?? []) assert.ok(!enc.includes(v), `${s.name}: sops left a value in plaintext`);
    const plain = await decryptFile(enc, s.format, [key.identity], s.name);
    s.same(plain, s.plain);
  }
});

test("files Plumbline encrypts (library and plumb sops encrypt) decrypt with the real sops", async () => {
  const key = await keygen();
  for (const s of samples()) {
    const opts = { recipients: [key.recipient], ...(s.flags ? { encryptedRegex: s.flags[1] as string } : {}) };
    const enc = await encryptFile(s.plain, s.format, opts, s.name);
    s.same(await sopsDecrypt(enc, s.format, s.name, [key]), s.plain);
  }
  // the CLI, reading its recipients from a .sops.yaml as sops does
  const dir = mkdtempSync(join(work, "cli-"));
  writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: ${key.recipient}\n`);
  const s = samples()[0];
  assert.ok(s);
  writeFileSync(join(dir, "db.sops.yaml"), s.plain, { mode: 0o600 });
  let out = "";
  let err = "";
  const code = await main(["sops", "encrypt", "db.sops.yaml"], { stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: { PATH: "" }, cwd: dir });
  assert.equal(code, 0, err);
  assert.match(out, /^stringData:\n {4}password: ENC\[AES256_GCM,/m);
  assert.match(out, /^ +tier: db$/m, "metadata stays in plaintext under encrypted_regex");
  s.same(await sopsDecrypt(out, "yaml", "db.sops.yaml", [key]), s.plain);
});

test("Shamir key groups: two of three groups' keys decrypt, whichever side encrypted", async () => {
  const keys = [await keygen(), await keygen(), await keygen()];
  const dir = mkdtempSync(join(work, "shamir-"));
  writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n${keys.map((k) => `      - age:\n          - ${k.recipient}\n`).join("")}`);
  const plain = `password: ${secret()}\n`;
  const bySops = await sopsEncrypt(plain, "yaml", "s.yaml", [], dir);
  assert.equal((parse(bySops) as { sops: { key_groups: unknown[] } }).sops.key_groups.length, 3);
  assert.equal(await decryptFile(bySops, "yaml", [keys[0]!.identity, keys[2]!.identity], "s.yaml"), plain);
  await assert.rejects(decryptFile(bySops, "yaml", [keys[1]!.identity], "s.yaml"), "one group's key is not enough");

  const byUs = await encryptFile(plain, "yaml", { recipients: [], keyGroups: keys.map((k) => [k.recipient]), shamirThreshold: 2 }, "s.yaml");
  assert.deepEqual(parse(await sopsDecrypt(byUs, "yaml", "s.yaml", [keys[1]!, keys[2]!])), parse(plain));
  await assert.rejects(sopsDecrypt(byUs, "yaml", "s.yaml", [keys[0]!]), /exited/);
});

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

test("a sync applies a Secret and a secretGenerator the real sops encrypted, with the age-keygen key from a cluster Secret", async (t) => {
  const { kube, ns } = await testSetup(t, "sopsreal");
  const key = await keygen();
  await kube.create({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-age", namespace: ns }, data: { "age.agekey": b64(`# made by age-keygen\n${key.identity}\n`) } });
  const password = secret();
  const token = secret();
  const db = await sopsEncrypt(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: ${password}\n`, "yaml", "db.sops.yaml", ["--age", key.recipient, "--encrypted-regex", "^(data|stringData)$"]);
  const env = await sopsEncrypt(`TOKEN=${token}\n`, "dotenv", "app.env", ["--age", key.recipient]);
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"),
    "apps/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}\nresources:\n  - db.sops.yaml\nsecretGenerator:\n  - name: gen\n    envs:\n      - app.env\n`,
    "apps/db.sops.yaml": db,
    "apps/app.env": env,
  });
  t.after(() => repo.remove());
  const r = await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  for (const k of r.kustomizations) assert.equal(k.ready, true, `${k.name}: ${k.message}`);
  const got = await kube.get("v1", "Secret", ns, "db");
  assert.ok(Buffer.from(String((got?.["data"] as Record<string, string> | undefined)?.["password"] ?? ""), "base64").toString() === password, "Secret db holds the decrypted password");
  const gens = (await kube.list("v1", "Secret", { namespace: ns })).items.filter((s) => s.metadata.name?.startsWith("gen-"));
  assert.equal(gens.length, 1);
  assert.ok(Buffer.from(String((gens[0]?.["data"] as Record<string, string> | undefined)?.["TOKEN"] ?? ""), "base64").toString() === token, "the generated Secret holds the decrypted TOKEN");
  assert.ok(!JSON.stringify(r.events).includes(password) && !JSON.stringify(r.events).includes(token), "no plaintext in the engine's events");
});
