/** Aggregates a V8 CPU profile (the .cpuprofile JSON) into self and inclusive times. Pure. */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileRow {
  name: string;
  where: string;
  us: number;
}

export interface ProfileSummary {
  totalUs: number;
  idleUs: number;
  gcUs: number;
  selfByFunction: ProfileRow[];
  selfByFile: ProfileRow[];
  /** Time with a frame of the file anywhere on the stack (each sample counted once per file). */
  inclusiveByRepoFile: ProfileRow[];
}

function shortUrl(url: string, repoRoot: string): string {
  const u = url.replace(/^file:\/\//, "");
  if (!u) return "(native)";
  if (u.startsWith(repoRoot + "/")) return u.slice(repoRoot.length + 1);
  return u.replace(/^.*\/node_modules\//, "node_modules/");
}

function sorted(m: Map<string, ProfileRow>): ProfileRow[] {
  return [...m.values()].sort((a, b) => b.us - a.us);
}

export function summarizeProfile(p: CpuProfile, repoRoot: string): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));

  const fn = new Map<string, ProfileRow>();
  const file = new Map<string, ProfileRow>();
  const incl = new Map<string, ProfileRow>();
  let totalUs = 0, idleUs = 0, gcUs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    totalUs += us;
    const name = n.callFrame.functionName || "(anonymous)";
    if (name === "(idle)") idleUs += us;
    if (name === "(garbage collector)") gcUs += us;
    const where = shortUrl(n.callFrame.url, repoRoot);
    const fk = `${name}@${where}:${n.callFrame.lineNumber + 1}`;
    const frow = fn.get(fk) ?? { name, where: `${where}:${n.callFrame.lineNumber + 1}`, us: 0 };
    frow.us += us;
    fn.set(fk, frow);
    const filerow = file.get(where) ?? { name: where, where, us: 0 };
    filerow.us += us;
    file.set(where, filerow);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)?.callFrame.url ?? "";
      const w = shortUrl(url, repoRoot);
      if (!url.includes(repoRoot) || w.startsWith("node_modules/") || seen.has(w)) continue;
      seen.add(w);
      const row = incl.get(w) ?? { name: w, where: w, us: 0 };
      row.us += us;
      incl.set(w, row);
    }
  }
  return { totalUs, idleUs, gcUs, selfByFunction: sorted(fn), selfByFile: sorted(file), inclusiveByRepoFile: sorted(incl) };
}
