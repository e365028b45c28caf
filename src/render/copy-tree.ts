/**
 * Copies a source tree into a private directory, asynchronously and with bounded parallelism. Symlinks that
 * stay inside the source root are materialized as copies of their targets; a symlink that leaves the root is
 * refused; `.git` is left out.
 */
import { copyFile, lstat, mkdir, readdir, readlink, realpath, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { isInside, PathEscapeError } from "./safe-path.ts";

const COPY_PARALLELISM = 16;

export async function copyTreeConfined(srcRoot: string, dest: string): Promise<void> {
  const realRoot = await realpath(srcRoot);
  if (!(await lstat(realRoot)).isDirectory()) throw new Error(`${srcRoot}: not a directory`);
  const files: { from: string; to: string }[] = [];
  const walk = async (dir: string, out: string, ancestors: ReadonlySet<string>): Promise<void> => {
    if (ancestors.has(dir)) throw new PathEscapeError(`${relative(realRoot, dir) || "."}: symlink loop`);
    const chain = new Set(ancestors).add(dir);
    await mkdir(out, { recursive: true, mode: 0o700 });
    const subdirs: Promise<void>[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const from = join(dir, entry.name);
      const to = join(out, entry.name);
      if (entry.isSymbolicLink()) {
        const target = resolve(dirname(from), await readlink(from));
        let real: string;
        try {
          real = await realpath(target);
        } catch {
          continue; // dangling link: nothing to copy
        }
        if (!isInside(realRoot, real)) throw new PathEscapeError(`${relative(realRoot, from)}: symlink points outside the repository`);
        if ((await stat(real)).isDirectory()) subdirs.push(walk(real, to, chain));
        else files.push({ from: real, to });
      } else if (entry.isDirectory()) {
        subdirs.push(walk(from, to, chain));
      } else if (entry.isFile()) {
        files.push({ from, to });
      }
    }
    await Promise.all(subdirs);
  };
  await walk(realRoot, dest, new Set());
  await mapLimit(files, COPY_PARALLELISM, ({ from, to }) => copyFile(from, to));
}
