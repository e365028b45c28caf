/**
 * Binds the SOPS implementation to one Kustomization's age keys, as render's Decryptor (one per render).
 * Keys never leave memory; decrypted generator inputs live on tmpfs for the render only (render/sops/plaintext-dir.ts); errors name the file in Git (or the built object) and never quote values or keys.
 */
import { DecryptionError, errorMessage } from "../core/errors.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { looksEncrypted, type Decryptor } from "../render/decryptor.ts";
import { PlaintextScratch } from "../render/sops/plaintext-dir.ts";
import { decryptGeneratorInputs, decryptObject, decryptSecretValues, indexEncryptedResources, parseAgeIdentities, sopsFingerprint, verifyEncryptedFile, type EncryptedFile } from "../render/sops/index.ts";

export function makeSopsDecryptor(keys: { source: string; text: string }[]): Decryptor {
  const identities: string[] = [];
  const problems: string[] = [];
  for (const k of keys) {
    try {
      identities.push(...parseAgeIdentities(k.text, k.source));
    } catch (err) {
      problems.push(errorMessage(err)); // names the entry and line, never the key
    }
  }
  /** The identities, or an error naming what could not be decrypted and why there is no key. */
  const ids = (subject: string): string[] => {
    if (identities.length) return identities;
    const why = keys.length
      ? `no age identity (AGE-SECRET-KEY-1...) in ${keys.map((k) => k.source).join(", ")}${problems.length ? ` (${problems.join("; ")})` : ""}`
      : "no age key: the decryption Secret (spec.decryption.secretRef) has no entry ending in .agekey";
    throw new DecryptionError(`${subject}: cannot decrypt: ${why}`, subject);
  };
  let files = new Map<string, EncryptedFile>();
  const verified = new Map<string, Promise<void>>();
  const verify = (f: EncryptedFile): Promise<void> => {
    let p = verified.get(f.file);
    if (!p) {
      p = verifyEncryptedFile(f, ids(f.file));
      verified.set(f.file, p);
    }
    return p;
  };
  const scratch = new PlaintextScratch();
  return {
    async decryptGeneratorInputs(root: string): Promise<void> {
      await decryptGeneratorInputs(root, ids, scratch);
      files = await indexEncryptedResources(root);
    },
    dispose: () => scratch.remove(),
    async decryptObject(obj: KubeObject, subject: string): Promise<KubeObject> {
      let out = obj;
      let where = subject;
      const sops = obj["sops"];
      if (sops && typeof sops === "object") {
        const file = files.get(sopsFingerprint(sops));
        if (file) {
          // the file as committed, MAC included; its errors name the file
          await verify(file);
          where = `${subject} (from ${file.file})`;
        }
        out = (await decryptObject(obj as Record<string, unknown>, ids(where), where)) as KubeObject;
      }
      if (out.kind === "Secret" && looksEncrypted(out)) out = (await decryptSecretValues(out as Record<string, unknown>, ids(where), where)) as KubeObject;
      if (looksEncrypted(out)) {
        throw new DecryptionError(`${where}: still holds SOPS-encrypted values after decryption (${encryptedFields(out).join(", ") || "sops metadata"}): an ENC[...] value without its sops metadata cannot be decrypted; refusing to apply ciphertext`, where);
      }
      return out;
    },
  };
}

/** The Secret fields (key names only) that still look encrypted. */
function encryptedFields(obj: KubeObject): string[] {
  const out: string[] = [];
  for (const field of ["data", "stringData"] as const) {
    const m = obj[field];
    if (!m || typeof m !== "object") continue;
    for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
      const text = field === "data" ? Buffer.from(String(v), "base64").toString("utf8") : String(v);
      if (text.includes("ENC[AES256_GCM,") || /sops_version=|(^|\n)sops:\s*\n|"sops"\s*:\s*\{/.test(text)) out.push(`${field}.${k}`);
    }
  }
  return out;
}
