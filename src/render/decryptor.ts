/** What render needs from SOPS: the engine passes an implementation bound to the Kustomization's keys. */
import type { KubeObject } from "../core/object-ref.ts";

export interface Decryptor {
  /**
   * Before kustomize runs, on the private temp copy of the tree (`dir` is its root): decrypts sops-encrypted
   * secretGenerator inputs (each file becomes a symlink to its plaintext on tmpfs), and notes which resource files are sops-encrypted so that decryptObject can
   * check each such file as committed (MAC included) and name it in errors.
   */
  decryptGeneratorInputs(dir: string): Promise<void>;
  /**
   * After kustomize has read them: removes the decrypted generator inputs (they are kept on tmpfs, outside the
   * tree, and must not outlive the render). Called on every path out of the render, errors included.
   */
  dispose?(): Promise<void>;
  /** Decrypts one built object if it carries sops metadata or sops-encrypted Secret values; returns it unchanged otherwise. */
  decryptObject(obj: KubeObject, subject: string): Promise<KubeObject>;
}

/** True when an object still holds SOPS ciphertext (a `sops` block, or an ENC[...] value in a Secret). */
export function looksEncrypted(obj: KubeObject): boolean {
  if (obj["sops"] && typeof obj["sops"] === "object") return true;
  if (obj.kind !== "Secret") return false;
  for (const key of ["data", "stringData"] as const) {
    const m = obj[key] as Record<string, string> | undefined;
    for (const v of Object.values(m ?? {})) {
      const text = key === "data" ? Buffer.from(String(v), "base64").toString("utf8") : String(v);
      if (text.includes("ENC[AES256_GCM,") || /(^|\n)sops:\s*\n|"sops"\s*:\s*\{|sops_version=/.test(text)) return true;
    }
  }
  return false;
}
