/** Copies a source tree into a private temporary directory, refusing symlinks that leave the source root. */
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { isInside, PathEscapeError } from "./safe-path.ts";

export function copyTreeConfined(srcRoot: string, dest: string): void {
  const realRoot = realpathSync(srcRoot);
  const walk = (dir: string, out: string): void => {
    mkdirSync(out, { recursive: true, mode: 0o700 });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === ".git") continue;
      const from = join(dir, entry.name);
      const to = join(out, entry.name);
      if (entry.isSymbolicLink()) {
        const target = resolve(dirname(from), readlinkSync(from));
        let real: string;
        try {
          real = realpathSync(target);
        } catch {
          continue; // dangling link: nothing to copy
        }
        if (!isInside(realRoot, real)) {
          throw new PathEscapeError(`${relative(realRoot, from)}: symlink points outside the repository`);
        }
        if (statSync(real).isDirectory()) walk(real, to);
        else copyFileSync(real, to);
      } else if (entry.isDirectory()) {
        walk(from, to);
      } else if (entry.isFile()) {
        copyFileSync(from, to);
      }
    }
  };
  if (!lstatSync(realRoot).isDirectory()) throw new Error(`${srcRoot}: not a directory`);
  walk(realRoot, dest);
}
