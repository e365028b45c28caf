/**
 * kubemark's hollow kubelet makes its root directory under /tmp whatever it is told (test/utils.MakeTempDirOrDie),
 * and logs it. A plane removes its nodes' root directories with its own directory, found in their logs.
 */
import { readFileSync, rmSync } from "node:fs";
import type { ClusterState } from "./state.ts";

/** The hollow kubelet root directories a node log names (one per start of that node). Pure. */
export function hollowRootDirs(logText: string): string[] {
  return [...new Set([...logText.matchAll(/Using (\/tmp\/hollow-kubelet\.\d+) as root dir for hollow-kubelet/g)].map((m) => m[1] ?? ""))].filter(Boolean);
}

export function removeHollowRootDirs(state: ClusterState): void {
  for (const p of state.processes) {
    if (p.component !== "kubelet" && !p.name.startsWith("node-")) continue;
    let text = "";
    try {
      text = readFileSync(p.log, "utf8");
    } catch {
      continue; // no log, nothing it made
    }
    for (const dir of hollowRootDirs(text)) rmSync(dir, { recursive: true, force: true });
  }
}

/** The same, for the owner watchdog's shell script (reaper.ts): `$dir` is the plane's directory. */
export const REMOVE_HOLLOW_ROOT_DIRS_SH = `grep -ho 'Using /tmp/hollow-kubelet\\.[0-9]* as root dir' "$dir"/node-*.log 2>/dev/null | cut -d' ' -f2 | sort -u | while read -r d; do rm -rf "$d"; done`;
