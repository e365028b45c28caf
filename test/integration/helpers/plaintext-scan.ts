/**
 * Looking for secret values where they must never be: files under directories, and the command lines of
 * every process (sampled while a run is in progress). Findings name where, never the value.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Values to look for, each also as base64 (how Secrets and Basic auth carry them). */
export function needlesOf(values: readonly string[]): string[] {
  return values.flatMap((v) => [v, Buffer.from(v, "utf8").toString("base64")]);
}

export function leaksIn(text: string, needles: readonly string[]): number {
  return needles.filter((n) => text.includes(n)).length;
}

/** Files (below 64 MiB) under `root` holding a needle, as paths relative to root; counts the files read. */
export function scanTree(root: string, needles: readonly string[]): { files: number; leaked: string[] } {
  let files = 0;
  const leaked: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // gone meanwhile, or not ours to read
    }
    for (const name of names) {
      const p = join(dir, name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 64 << 20) {
        let text: string;
        try {
          text = readFileSync(p, "latin1");
        } catch {
          continue;
        }
        files++;
        if (leaksIn(text, needles) > 0) leaked.push(p.slice(root.length + 1) || p);
      }
    }
  };
  walk(root);
  return { files, leaked };
}

function parentOf(pid: string): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? "?";
  } catch {
    return "?";
  }
}

/**
 * Samples /proc/<pid>/cmdline of every process until stopped; records processes whose arguments hold a needle.
 * Command lines in `ignore` are left out (the arguments a test itself gave; a child between fork and exec
 * still shows its parent's).
 */
export function sampleCommandLines(needles: readonly string[], ignore: readonly (readonly string[])[] = [], everyMs = 10): { stop(): { samples: number; leaked: string[] } } {
  let samples = 0;
  const leaked = new Set<string>();
  const ignored = new Set(ignore.map((argv) => argv.map((a) => a + "\0").join("")));
  const tick = (): void => {
    samples++;
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      let argv: string;
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, "latin1");
      } catch {
        continue;
      }
      if (ignored.has(argv)) continue;
      if (leaksIn(argv, needles) > 0) leaked.add(`pid ${pid} (parent ${parentOf(pid)}): ${argv.split("\0")[0] ?? "?"} (${argv.split("\0").length - 1} arguments)`);
    }
  };
  const timer = setInterval(tick, everyMs);
  tick();
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { samples, leaked: [...leaked] };
    },
  };
}
