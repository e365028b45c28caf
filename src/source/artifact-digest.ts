/**
 * A content digest for an artifact directory: sha256 over the sorted list of regular files, each
 * contributing `<mode> <size> <path>\0` and its bytes (mode is 644 or 755). Same tree, same digest.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export interface ArtifactFile {
  /** Slash-separated path relative to the artifact root. */
  path: string;
  executable: boolean;
  size: number;
}

/** Sorts by the UTF-8 bytes of the path, so the order does not depend on locale or UTF-16 quirks. */
export function sortArtifactFiles(files: readonly ArtifactFile[]): ArtifactFile[] {
  return [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export function fileRecordHeader(f: ArtifactFile): string {
  return `${f.executable ? "755" : "644"} ${f.size} ${f.path}\0`;
}

export async function digestFiles(root: string, files: readonly ArtifactFile[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of sortArtifactFiles(files)) {
    h.update(fileRecordHeader(f));
    for await (const chunk of createReadStream(join(root, ...f.path.split("/")))) h.update(chunk as Buffer);
  }
  return `sha256:${h.digest("hex")}`;
}

/** Lists the regular files under root (symlinks and other types are not followed and not listed). */
export async function listArtifactFiles(root: string): Promise<ArtifactFile[]> {
  const out: ArtifactFile[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath, e.name);
    const rel = abs.slice(root.length + 1).split("\\").join("/");
    const st = await stat(abs);
    out.push({ path: rel, executable: (st.mode & 0o111) !== 0, size: st.size });
  }
  return out;
}

/** Digest of an artifact directory as it is on disk. */
export async function digestDirectory(root: string): Promise<string> {
  return digestFiles(root, await listArtifactFiles(root));
}
