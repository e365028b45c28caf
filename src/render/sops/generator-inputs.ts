/**
 * Decrypts the sops-encrypted files that kustomize secretGenerators read (Flux's DecryptSources). The plaintext
 * goes to tmpfs (plaintext-dir.ts), never to the tree's disk: the file in the private copy becomes a symlink to it.
 */
import { lstat, readFile, readdir, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse } from "yaml";
import { DecryptionError } from "../../core/errors.ts";
import { decryptFile } from "./sops-file.ts";
import { detectEncryptedFormat, formatForKey, markerFor, type SopsFormat } from "./format.ts";
import { hasSopsMetadata } from "./has-metadata.ts";
import type { PlaintextScratch } from "./plaintext-dir.ts";

const KUSTOMIZATION_FILES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);
const MAX_FILE_SIZE = 5 << 20;
const MAX_DIRS = 20_000;

export async function findKustomizations(root: string): Promise<string[]> {
  const found: string[] = [];
  const queue = [root];
  let seen = 0;
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (++seen > MAX_DIRS) throw new DecryptionError(`${root}: too many directories to scan for kustomization files`);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.isDirectory() && e.name !== ".git") queue.push(join(dir, e.name));
      else if (e.isFile() && KUSTOMIZATION_FILES.has(e.name)) found.push(join(dir, e.name));
    }
  }
  return found.sort();
}

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(".." + sep));
}

interface Source {
  path: string;
  format: SopsFormat;
}

function sourcesOf(doc: unknown): Source[] {
  const out: Source[] = [];
  if (!doc || typeof doc !== "object") return out;
  const gens = (doc as Record<string, unknown>)["secretGenerator"];
  if (!Array.isArray(gens)) return out;
  for (const gen of gens) {
    if (!gen || typeof gen !== "object") continue;
    const g = gen as Record<string, unknown>;
    for (const f of Array.isArray(g["files"]) ? g["files"] : []) {
      if (typeof f !== "string") continue;
      const eq = f.indexOf("=");
      const key = eq >= 0 ? f.slice(0, eq) : f;
      out.push({ path: eq >= 0 ? f.slice(eq + 1) : f, format: formatForKey(key) });
    }
    const envs = [...(Array.isArray(g["envs"]) ? g["envs"] : []), ...(typeof g["env"] === "string" ? [g["env"]] : [])];
    for (const e of envs) {
      if (typeof e !== "string") continue;
      const f = formatForKey(e);
      out.push({ path: e, format: f === "binary" ? "dotenv" : f });
    }
  }
  return out;
}

/**
 * `dir` must be a private temporary copy of the source tree: each encrypted input is replaced by a symlink to
 * its plaintext in `scratch` (on tmpfs; the caller removes it when kustomize is done). Paths that leave `dir`
 * (directly or through symlinks) are refused. `identities` may be a function, called (with the file) only when a
 * file needs decrypting, so that a missing key is reported naming that file.
 */
export async function decryptGeneratorInputs(dir: string, identities: string[] | ((file: string) => string[]), scratch: PlaintextScratch): Promise<void> {
  const root = await realpath(resolve(dir));
  const done = new Set<string>();
  for (const kfile of await findKustomizations(root)) {
    const kdir = resolve(kfile, "..");
    let doc: unknown;
    try {
      doc = parse(await readFile(kfile, "utf8"));
    } catch {
      continue; // kustomize will report the broken file
    }
    for (const src of sourcesOf(doc)) {
      const shown = relative(root, resolve(kdir, src.path)) || src.path;
      const target = isAbsolute(src.path) ? resolve(src.path) : resolve(kdir, src.path);
      if (!within(root, target)) throw new DecryptionError(`${relative(root, kfile)}: secretGenerator source ${JSON.stringify(src.path)} is outside the source tree`, relative(root, kfile));
      let real: string;
      try {
        real = await realpath(target);
      } catch {
        continue; // missing: kustomize reports it
      }
      if (scratch.holds(real)) continue; // decrypted already, through another reference
      if (!within(root, real)) throw new DecryptionError(`${relative(root, kfile)}: secretGenerator source ${JSON.stringify(src.path)} resolves outside the source tree`, relative(root, kfile));
      if (done.has(real)) continue;
      const st = await lstat(real);
      if (!st.isFile()) throw new DecryptionError(`${shown}: cannot decrypt, not a regular file`, shown);
      if (st.size > MAX_FILE_SIZE) throw new DecryptionError(`${shown}: cannot decrypt, file larger than ${MAX_FILE_SIZE} bytes`, shown);
      const text = await readFile(real, "utf8");
      if (!text.includes(markerFor(src.format))) {
        // sops-encrypted, but not in the format its name gives: sops (and Flux) cannot tell how to read it
        const other = detectEncryptedFormat(text);
        if (other && other !== src.format && hasSopsMetadata(text, other)) {
          throw new DecryptionError(`${shown}: unknown format: the file is sops-encrypted as ${other}, but its name makes it ${src.format === "binary" ? "binary (sops reads names other than .yaml, .yml, .json, .env and .ini as binary)" : src.format}; rename it to match its content`, shown);
        }
        continue;
      }
      const plain = await decryptFile(text, src.format, typeof identities === "function" ? identities(shown) : identities, shown);
      await scratch.place(real, plain, shown);
      done.add(real);
    }
  }
}
