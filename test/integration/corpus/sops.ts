/**
 * Corpus theme: SOPS-encrypted Secrets that cannot be decrypted (another key, a corrupted value, a tampered
 * MAC) or must not be applied (decryption not configured). The age key reaches the cluster through
 * `plumb sync --age-key-file`, as Secret <ns>/sops-age. Plaintext values are random and never printed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { encryptFile } from "../../../src/render/sops/index.ts";
import type { KubeClient } from "../../../src/kube/client.ts";
import type { Theme } from "./corpus.ts";
import { fluxKustomization, kustomizationFile } from "./fixtures.ts";

const secretYaml = (password: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  labels:
    app.kubernetes.io/name: db
type: Opaque
stringData:
  username: app
  password: ${password}
`;

export const sops: Theme = {
  title: "corpus: SOPS input that cannot be decrypted fails naming the file, changes nothing, and the next good commit recovers",
  prefix: "c-sops",
  async setup({ ns, dir }) {
    const keyFile = join(dir, "age.agekey");
    execFileSync("age-keygen", ["-o", keyFile], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim();
    const otherRecipient = await identityToRecipient(await generateX25519Identity());
    const password = randomBytes(12).toString("hex");
    const enc = (text: string, to: string): Promise<string> => encryptFile(text, "yaml", { recipients: [to], encryptedRegex: "^(data|stringData)$" }, "db.sops.yaml");
    const good = await enc(secretYaml(password), recipient);
    const decryption = "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n";
    const child = fluxKustomization("db", ns, "./apps/db", `  targetNamespace: ${ns}\n${decryption}`);
    const flip = (s: string): string => s.replace(/(password: ENC\[AES256_GCM,data:)(.)/, (_, p: string, c: string) => p + (c === "A" ? "B" : "A"));
    return {
      syncArgs: ["--age-key-file", keyFile],
      good: {
        "clusters/c/db.yaml": child,
        "apps/db/kustomization.yaml": kustomizationFile("resources:\n  - db.sops.yaml\n"),
        "apps/db/db.sops.yaml": good,
      },
      async expect(kube: KubeClient, n: string) {
        const s = await kube.get("v1", "Secret", n, "db-credentials");
        const data = (s?.["data"] ?? {}) as Record<string, string>;
        assert.ok(Buffer.from(data["password"] ?? "", "base64").toString("utf8") === password, "Secret db-credentials holds the decrypted password");
      },
      cases: [
        { name: "a Secret encrypted for a key the cluster does not have", files: { "apps/db/db.sops.yaml": await enc(secretYaml(password), otherRecipient) }, error: /apps\/db\/db\.sops\.yaml: no identity matches/ },
        { name: "a corrupted encrypted value", files: { "apps/db/db.sops.yaml": flip(good) }, error: /apps\/db\/db\.sops\.yaml: .*password.*could not decrypt/ },
        { name: "a plaintext label edited after encryption (MAC mismatch)", files: { "apps/db/db.sops.yaml": good.replace("app.kubernetes.io/name: db", "app.kubernetes.io/name: database") }, error: /apps\/db\/db\.sops\.yaml: MAC mismatch/ },
        {
          name: "decryption left out of the Kustomization (ciphertext refused)",
          files: { "clusters/c/db.yaml": child.replace(decryption, "") },
          error: new RegExp(`Secret/${ns}/db-credentials: holds SOPS-encrypted data`),
          mayChange: [`Kustomization/${ns}/db`],
        },
        {
          name: "a decryption Secret that does not exist",
          files: { "clusters/c/db.yaml": child.replace("name: sops-age", "name: sops-keys") },
          error: /decryption Secret c-sops-[0-9a-f]+\/sops-keys not found/,
          mayChange: [`Kustomization/${ns}/db`],
        },
      ],
    };
  },
};
