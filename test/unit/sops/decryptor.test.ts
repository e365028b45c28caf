/** makeSopsDecryptor, the engine's Decryptor: file-level MAC check of encrypted resources, errors naming the file, refusals. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { DecryptionError } from "../../../src/core/errors.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import { encryptFile } from "../../../src/render/sops/index.ts";
import { makeSopsDecryptor } from "../../../src/reconcile/sops-decryptor.ts";
import { newKey, type KeyPair } from "./helpers.ts";

let key: KeyPair;
test.before(async () => {
  key = await newKey();
});

const SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels:\n    tier: db\ndata:\n  password: cGFzc3dvcmQ=\n";
const keys = (): { source: string; text: string }[] => [{ source: "Secret/flux-system/sops-age[age.agekey]", text: key.identity + "\n" }];

function tree(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "plumb-decryptor-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

/** The object as kustomize would emit it: namespace and a label added, values the MAC never covered. */
function built(encrypted: string): KubeObject {
  const obj = parse(encrypted) as KubeObject;
  obj.metadata.namespace = "apps";
  obj.metadata.labels = { ...obj.metadata.labels, env: "prod" };
  return obj;
}

const rejectsWith = (p: Promise<unknown>, re: RegExp): Promise<void> =>
  assert.rejects(p, (e: unknown) => e instanceof DecryptionError && re.test(e.message) && !e.message.includes(key.identity));

test("a built Secret decrypts although the build added fields; the committed file is checked with its MAC", async (t) => {
  const enc = await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "^(data|stringData)$" }, "db.sops.yaml");
  const root = tree(t, { "apps/kustomization.yaml": "resources:\n  - db.sops.yaml\n", "apps/db.sops.yaml": enc });
  const d = makeSopsDecryptor(keys());
  await d.decryptGeneratorInputs(root);
  const out = await d.decryptObject(built(enc), "Secret/apps/db");
  assert.deepEqual(out["data"], { password: "cGFzc3dvcmQ=" });
  assert.equal("sops" in out, false);
  assert.deepEqual(out.metadata.labels, { tier: "db", env: "prod" });
});

test("a file edited after encryption is refused, naming the file (the built object alone would pass)", async (t) => {
  const enc = await encryptFile(SECRET, "yaml", { recipients: [key.recipient], encryptedRegex: "^(data|stringData)$" }, "db.sops.yaml");
  const tampered = enc.replace("tier: db", "tier: cache");
  const root = tree(t, { "apps/kustomization.yaml": "resources:\n  - db.sops.yaml\n", "apps/db.sops.yaml": tampered });
  const d = makeSopsDecryptor(keys());
  await d.decryptGeneratorInputs(root);
  await rejectsWith(d.decryptObject(built(tampered), "Secret/apps/db"), /^apps\/db\.sops\.yaml: MAC mismatch: the file was modified after it was encrypted/);
});

test("no key, an invalid key entry: errors name the file and the key source, never the key text", async (t) => {
  const enc = await encryptFile("TOKEN=abc\n", "dotenv", { recipients: [key.recipient] }, "app.env");
  const root = tree(t, { "kustomization.yaml": "secretGenerator:\n  - name: gen\n    envs:\n      - app.sops.env\n", "app.sops.env": enc });
  await rejectsWith(makeSopsDecryptor([]).decryptGeneratorInputs(root), /^app\.sops\.env: cannot decrypt: no age key: the decryption Secret \(spec\.decryption\.secretRef\) has no entry ending in \.agekey$/);
  await rejectsWith(
    makeSopsDecryptor([{ source: "Secret/ns/k[age.agekey]", text: "AGE-SECRET-KEY-SOMETHING-ELSE\n" }]).decryptGeneratorInputs(root),
    /^app\.sops\.env: cannot decrypt: no age identity \(AGE-SECRET-KEY-1\.\.\.\) in Secret\/ns\/k\[age\.agekey\] \(Secret\/ns\/k\[age\.agekey\]: line 1 is not an age identity/,
  );
  await assert.rejects(makeSopsDecryptor([{ source: "s", text: "AGE-SECRET-KEY-SOMETHING-ELSE\n" }]).decryptGeneratorInputs(root), (e: unknown) => !(e as Error).message.includes("SOMETHING-ELSE"));
});

test("a generator input encrypted in a format its name does not give is an unknown format, naming the file", async (t) => {
  const enc = await encryptFile("a: 1\n", "yaml", { recipients: [key.recipient] }, "settings.yaml");
  const root = tree(t, { "kustomization.yaml": "secretGenerator:\n  - name: gen\n    files:\n      - settings.conf\n", "settings.conf": enc });
  await rejectsWith(makeSopsDecryptor(keys()).decryptGeneratorInputs(root), /^settings\.conf: unknown format: the file is sops-encrypted as yaml, but its name makes it binary/);
});

test("ENC[...] values left without their sops metadata are refused, naming the keys only", async () => {
  const enc = await encryptFile("TOKEN=abc\n", "dotenv", { recipients: [key.recipient] }, "app.env");
  const value = /^TOKEN=(.*)$/m.exec(enc)?.[1] ?? "";
  const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "gen", namespace: "apps" }, data: { TOKEN: Buffer.from(value).toString("base64"), plain: "eA==" } };
  await rejectsWith(makeSopsDecryptor(keys()).decryptObject(secret, "Secret/apps/gen"), /^Secret\/apps\/gen: still holds SOPS-encrypted values after decryption \(data\.TOKEN\): an ENC\[\.\.\.\] value without its sops metadata cannot be decrypted; refusing to apply ciphertext$/);
});
