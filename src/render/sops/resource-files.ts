/**
 * sops-encrypted resource files as committed, before kustomize: which file a built object came from (its `sops`
 * block, which kustomize copies unchanged, is the fingerprint), and a whole-file check with the MAC.
 *
 * Why both: after a build the object has values the MAC never covered (namespace, labels, patches), so the object
 * itself is decrypted without the MAC check, as Flux does. The file in Git is checked instead, MAC included, so a
 * file edited after encryption is refused, and errors name the file rather than only the built object.
 */
import { lstat, readFile } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { findKustomizations } from "./generator-inputs.ts";
import { decryptFile } from "./sops-file.ts";

const MAX_FILE_SIZE = 5 << 20;

/** A stable key for a `sops` metadata block, as parsed from the file or from kustomize's output. */
export function sopsFingerprint(sops: unknown): string {
  const norm = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString().replace(/\.\d+Z$/, "Z");
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm((v as Record<string, unknown>)[k])]));
    return typeof v === "bigint" ? v.toString() : v;
  };
  return JSON.stringify(norm(sops));
}

function isRemote(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^[^/]+@[^:]+:/.test(ref) || ref.startsWith("github.com/");
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel));
}

export interface EncryptedFile {
  /** Path relative to the tree root, as shown in errors. */
  file: string;
  format: "yaml" | "json";
  abs: string;
}

/**
 * Every resource file (listed under `resources`, `bases` or `crds` of a kustomization in the tree) holding at
 * least one document with a top-level `sops` mapping, keyed by the fingerprint of that block.
 */
export async function indexEncryptedResources(root: string): Promise<Map<string, EncryptedFile>> {
  const out = new Map<string, EncryptedFile>();
  const seen = new Set<string>();
  for (const kfile of await findKustomizations(root)) {
    let k: unknown;
    try {
      k = parse(await readFile(kfile, "utf8"));
    } catch {
      continue; // kustomize reports the broken file
    }
    if (!k || typeof k !== "object") continue;
    const kdir = resolve(kfile, "..");
    const refs = ["resources", "bases", "crds"].flatMap((f) => {
      const v = (k as Record<string, unknown>)[f];
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    });
    for (const ref of refs) {
      if (isRemote(ref)) continue;
      const abs = resolve(kdir, ref);
      if (!within(root, abs) || seen.has(abs)) continue;
      seen.add(abs);
      const st = await lstat(abs).catch(() => undefined);
      if (!st?.isFile() || st.size > MAX_FILE_SIZE) continue;
      const text = await readFile(abs, "utf8");
      if (!text.includes("sops")) continue;
      const file = relative(root, abs);
      const format = abs.endsWith(".json") ? "json" : "yaml";
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length) break;
        const js = doc.toJS() as Record<string, unknown> | null;
        const sops = js && typeof js === "object" ? js["sops"] : undefined;
        if (sops && typeof sops === "object" && !Array.isArray(sops)) out.set(sopsFingerprint(sops), { file, format, abs });
      }
    }
  }
  return out;
}

/** Decrypts the whole file as sops would (MAC checked) and discards the plaintext; errors name the file. */
export async function verifyEncryptedFile(f: EncryptedFile, identities: string[]): Promise<void> {
  await decryptFile(await readFile(f.abs, "utf8"), f.format, identities, f.file);
}
