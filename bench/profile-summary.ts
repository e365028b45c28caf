/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time by function and by file, and
 * inclusive time by source file of this repository.
 *
 * usage: node bench/profile-summary.ts <file.cpuprofile> [--top 25]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { summarizeProfile, type CpuProfile } from "./profile-stats.ts";
import { textTable } from "./stats.ts";

const { values: f, positionals } = parseArgs({ options: { top: { type: "string", default: "25" } }, allowPositionals: true, strict: true });
const top = Number(f.top);
for (const file of positionals) {
  const s = summarizeProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, process.cwd());
  const ms = (us: number): string => (us / 1000).toFixed(0);
  process.stdout.write(`${file}: ${ms(s.totalUs)} ms sampled, ${ms(s.idleUs)} ms idle, ${ms(s.gcUs)} ms GC\n\n`);
  process.stdout.write("Self time by function\n" + textTable(["ms", "function", "where"], s.selfByFunction.slice(0, top).map((r) => [ms(r.us), r.name, r.where])) + "\n");
  process.stdout.write("Self time by file\n" + textTable(["ms", "file"], s.selfByFile.slice(0, top).map((r) => [ms(r.us), r.where])) + "\n");
  process.stdout.write("Inclusive time by repository file\n" + textTable(["ms", "file"], s.inclusiveByRepoFile.slice(0, top).map((r) => [ms(r.us), r.where])) + "\n");
}
