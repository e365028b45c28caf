/**
 * Commits a whole tree state on top of a test repository: the good tree with one case's changes and symlinks,
 * removing what the previous state added (files and links) so every state is exactly what it says.
 */
import { lstat, mkdir, rm, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { FileMap, TestRepo } from "../../support/git-repo.ts";

export class TreeCommitter {
  /** Paths of the previous state that the good tree does not hold (files added, symlinks). */
  private extra = new Set<string>();

  private readonly repo: TestRepo;
  private readonly good: FileMap;

  constructor(repo: TestRepo, good: FileMap) {
    this.repo = repo;
    this.good = good;
  }

  async commit(changes: FileMap = {}, links: Record<string, string> = {}, message = "update"): Promise<string> {
    for (const p of this.extra) await rm(join(this.repo.dir, p), { recursive: true, force: true });
    this.extra.clear();
    const files: FileMap = { ...this.good };
    for (const [p, content] of Object.entries(changes)) {
      files[p] = content;
      if (!(p in this.good)) this.extra.add(p);
    }
    // a path that becomes a symlink must not be written through as a file first
    for (const p of Object.keys(links)) {
      delete files[p];
      await rm(join(this.repo.dir, p), { recursive: true, force: true });
    }
    // restore good files a previous state turned into symlinks: writeFile would follow the link
    for (const p of Object.keys(files)) {
      const st = await lstat(join(this.repo.dir, p)).catch(() => undefined);
      if (st?.isSymbolicLink()) await rm(join(this.repo.dir, p));
    }
    for (const [p, target] of Object.entries(links)) {
      await mkdir(dirname(join(this.repo.dir, p)), { recursive: true });
      await symlink(target, join(this.repo.dir, p));
      this.extra.add(p);
    }
    return this.repo.commit(files, message);
  }
}
