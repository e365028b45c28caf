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

/** The control-plane processes' CPU time together, per millisecond of a window (1 = one CPU busy). Pure. */
export function busyShare(delta: CpuSnapshot, windowMs: number): number {
  const total = Object.values(delta).reduce((a, b) => a + b, 0);
  return total / windowMs;
}

/**
 * Waits until the control plane is quiet (its processes together use under `share` of one CPU over a
 * `windowMs` window), at most `timeoutMs`: the controller manager works off what an earlier run created (it
 * writes at a limited rate) and would otherwise load the next measured run. Returns the time it waited.
 */
export async function settle(pids: readonly NamedPid[], o: { share?: number; windowMs?: number; timeoutMs?: number } = {}): Promise<{ waitedMs: number; quiet: boolean }> {
  const share = o.share ?? 0.15;
  const windowMs = o.windowMs ?? 1000;
  const t0 = Date.now();
  let before = cpuSnapshot(pids);
  while (Date.now() - t0 < (o.timeoutMs ?? 90_000)) {
    await new Promise((r) => setTimeout(r, windowMs));
    const after = cpuSnapshot(pids);
    if (busyShare(cpuDelta(before, after), windowMs) < share) return { waitedMs: Date.now() - t0, quiet: true };
    before = after;
  }
  return { waitedMs: Date.now() - t0, quiet: false };
}
