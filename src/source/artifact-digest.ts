/**
 * A content digest for an artifact directory: sha256 over the sorted list of regular files and symlinks, each
 * contributing `<mode> <size> <path>\0` and its bytes (mode is 644 or 755; a symlink is mode 120000, as in Git,
 * and its bytes are the link text, never what it points to). Same tree, same digest; a tree without symlinks
 * digests as before symlinks were kept.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readlink, stat } from "node:fs/promises";
import { join } from "node:path";

export interface ArtifactFile {
  /** Slash-separated path relative to the artifact root. */
  path: string;
  executable: boolean;
  /** Bytes of the file, or of the link text. */
  size: number;
  /** A symlink: its text as committed (not followed). */
  link?: string;
}

/** Sorts by the UTF-8 bytes of the path, so the order does not depend on locale or UTF-16 quirks. */
export function sortArtifactFiles(files: readonly ArtifactFile[]): ArtifactFile[] {
  return [...files].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export function fileRecordHeader(f: ArtifactFile): string {
  const mode = f.link !== undefined ? "120000" : f.executable ? "755" : "644";
  return `${mode} ${f.size} ${f.path}\0`;
}

export async function digestFiles(root: string, files: readonly ArtifactFile[]): Promise<string> {
  const h = createHash("sha256");
  for (const f of sortArtifactFiles(files)) {
    h.update(fileRecordHeader(f));
    if (f.link !== undefined) {
      h.update(f.link);
      continue;
    }
    for await (const chunk of createReadStream(join(root, ...f.path.split("/")))) h.update(chunk as Buffer);
  }
  return `sha256:${h.digest("hex")}`;
}

/** Lists the regular files and symlinks under root (symlinks are not followed; other types are not listed). */
export async function listArtifactFiles(root: string): Promise<ArtifactFile[]> {
  const out: ArtifactFile[] = [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() && !e.isSymbolicLink()) continue;
    const abs = join(e.parentPath, e.name);
    const rel = abs.slice(root.length + 1).split("\\").join("/");
    if (e.isSymbolicLink()) {
      const link = await readlink(abs);
      out.push({ path: rel, executable: false, size: Buffer.byteLength(link), link });
      continue;
    }
    const st = await stat(abs);
    out.push({ path: rel, executable: (st.mode & 0o111) !== 0, size: st.size });
  }
  return out;
}

/** Digest of an artifact directory as it is on disk. */
export async function digestDirectory(root: string): Promise<string> {
  return digestFiles(root, await listArtifactFiles(root));
}
