/** Shared by the render tests: a private temp directory per test file, source trees in it, a kustomize that counts its runs. */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";

export interface RenderTestDirs {
  /** Every temp dir of this process (staged copies, private render copies) is made under it (TMPDIR). */
  tmp: string;
  /** A source tree of the given files; returns its directory. */
  tree(files: Record<string, string>): string;
  /** kubectl kustomize behind a script that counts its runs. */
  countingKustomize(): { cmd: string; args: string[]; runs: () => number };
}

export function renderTestDirs(prefix: string): RenderTestDirs {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  process.env["TMPDIR"] = tmp;
  after(() => rmSync(tmp, { recursive: true, force: true }));
  return {
    tmp,
    tree(files) {
      const dir = mkdtempSync(join(tmp, "src-"));
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), content);
      }
      return dir;
    },
    countingKustomize() {
      const dir = mkdtempSync(join(tmp, "bin-"));
      const log = join(dir, "runs");
      writeFileSync(log, "");
      const cmd = join(dir, "kustomize");
      writeFileSync(cmd, `#!/bin/sh\necho run >> '${log}'\nexec kubectl kustomize "$@"\n`);
      chmodSync(cmd, 0o755);
      return { cmd, args: [], runs: () => readFileSync(log, "utf8").split("\n").filter(Boolean).length };
    },
  };
}
