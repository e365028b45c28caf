/** Binds the SOPS implementation to one Kustomization's age keys, as render's Decryptor. Keys never leave memory. */
import { DecryptionError } from "../core/errors.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { looksEncrypted, type Decryptor } from "../render/decryptor.ts";
import { decryptGeneratorInputs, decryptObject, decryptSecretValues, parseAgeIdentities } from "../render/sops/index.ts";

export function makeSopsDecryptor(keys: { source: string; text: string }[]): Decryptor {
  let identities: string[] | undefined;
  const ids = (): string[] => {
    if (!identities) {
      identities = keys.flatMap((k) => {
        try {
          return parseAgeIdentities(k.text, k.source);
        } catch {
          return [];
        }
      });
      if (!identities.length) throw new DecryptionError(`no age identities (AGE-SECRET-KEY-1...) found in ${keys.map((k) => k.source).join(", ") || "the decryption Secret"}`);
    }
    return identities;
  };
  return {
    async decryptGeneratorInputs(dir: string): Promise<void> {
      if (!keys.length) return;
      await decryptGeneratorInputs(dir, ids());
    },
    async decryptObject(obj: KubeObject, subject: string): Promise<KubeObject> {
      let out = obj;
      if (obj["sops"] && typeof obj["sops"] === "object") out = (await decryptObject(obj as Record<string, unknown>, ids(), subject)) as KubeObject;
      if (out.kind === "Secret" && looksEncrypted(out)) out = (await decryptSecretValues(out as Record<string, unknown>, ids(), subject)) as KubeObject;
      return out;
    },
  };
}
