/**
 * CPU time of the control plane's processes (from /proc/<pid>/stat), so a case can say where the machine's CPU
 * went while each side ran: API server, etcd, controller manager... Linux only; elsewhere the snapshot is empty.
 */
import { readFileSync } from "node:fs";

export interface NamedPid {
  name: string;
  pid: number;
}

/** CPU milliseconds (user + system) per process name. */
export type CpuSnapshot = Record<string, number>;

/** USER_HZ: /proc reports clock ticks, 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc/<pid>/stat line, in ms; fields after the parenthesized command name. Pure. */
export function statCpuMs(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

export function cpuSnapshot(pids: readonly NamedPid[]): CpuSnapshot {
  const out: CpuSnapshot = {};
  for (const p of pids) {
    try {
      const ms = statCpuMs(readFileSync(`/proc/${p.pid}/stat`, "utf8"));
      if (ms !== undefined) out[p.name] = (out[p.name] ?? 0) + ms;
    } catch { /* gone, or no /proc */ }
  }
  return out;
}

/** after - before per name. Pure. */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const out: CpuSnapshot = {};
  for (const [name, ms] of Object.entries(after)) out[name] = Math.max(0, ms - (before[name] ?? 0));
  return out;
}
