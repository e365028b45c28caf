/**
 * Copies a source tree into a private directory, asynchronously and with bounded parallelism. Symlinks that
 * stay inside the source root are materialized as copies of their targets (a link to a directory as a copy of
 * that directory); a symlink that leaves the root, points at nothing or loops is not followed and not copied:
 * it is returned as a refused link (refused-links.ts), so whatever uses it fails naming it. `.git` is left out.
 */
import { copyFile, lstat, mkdir, readdir, readlink, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import type { RefusedLink, RefusedLinks } from "./refused-links.ts";
import { isInside } from "./safe-path.ts";

const COPY_PARALLELISM = 16;

export async function copyTreeConfined(srcRoot: string, dest: string): Promise<RefusedLinks> {
  const realRoot = await realpath(srcRoot);
  if (!(await lstat(realRoot)).isDirectory()) throw new Error(`${srcRoot}: not a directory`);
  const files: { from: string; to: string }[] = [];
  const refused = new Map<string, RefusedLink>();
  /** `dir` is a real path; `rel` is where it appears in the tree; `chain` holds the real directories being walked. */
  const walk = async (dir: string, out: string, rel: string, chain: readonly string[]): Promise<void> => {
    await mkdir(out, { recursive: true, mode: 0o700 });
    const subdirs: Promise<void>[] = [];
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const from = join(dir, entry.name);
      const to = join(out, entry.name);
      const at = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        const text = await readlink(from);
        // judged on the link text first, so a link to a host path is never resolved; then on its real path
        // (a chain of links); relative to the directory that really holds the link
        const lexical = relative(realRoot, resolve(dir, text));
        const leaves = isAbsolute(text) || lexical === ".." || lexical.startsWith(`..${sep}`);
        const real = leaves ? undefined : await realpath(resolve(dir, text)).catch(() => undefined);
        if (leaves) refused.set(at, { target: text, why: "outside" });
        else if (real === undefined) refused.set(at, { target: text, why: "missing" });
        else if (!isInside(realRoot, real)) refused.set(at, { target: text, why: "outside" });
        else if ((await stat(real)).isDirectory()) {
          // a link to a directory being walked (or to one of its parents) would copy forever
          if ([...chain, dir].some((c) => isInside(real, c))) refused.set(at, { target: text, why: "loop" });
          else subdirs.push(walk(real, to, at, [...chain, dir]));
        } else files.push({ from: real, to });
      } else if (entry.isDirectory()) {
        subdirs.push(walk(from, to, at, chain));
      } else if (entry.isFile()) {
        files.push({ from, to });
      }
    }
    await Promise.all(subdirs);
  };
  await walk(realRoot, dest, "", []);
  await mapLimit(files, COPY_PARALLELISM, ({ from, to }) => copyFile(from, to));
  return refused;
}

