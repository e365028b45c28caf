/**
 * What a long-running engine process costs, from /proc: CPU time (utime + stime of /proc/<pid>/stat) and peak
 * RSS (VmHWM of /proc/<pid>/status, whose high-water mark `echo 5 > /proc/<pid>/clear_refs` resets, so each case
 * reads its own peak). And the request counters a Go controller exposes on its metrics endpoint. Parsing is pure;
 * the readers are thin. Linux only.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { statCpuMs } from "./cpu-usage.ts";

/** VmHWM (peak resident set) in KiB from a /proc/<pid>/status text. Pure. */
export function statusPeakRssKiB(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

export interface ProcSample {
  cpuMs: number;
  peakRssKiB: number;
}

/** CPU ms and peak RSS of one process; undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const cpuMs = statCpuMs(readFileSync(`/proc/${pid}/stat`, "utf8"));
    const peakRssKiB = statusPeakRssKiB(readFileSync(`/proc/${pid}/status`, "utf8"));
    return cpuMs === undefined || peakRssKiB === undefined ? undefined : { cpuMs, peakRssKiB };
  } catch {
    return undefined;
  }
}

/** Resets the process's peak RSS to its current RSS (needs to own the process or be root). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/**
 * What several processes used between two samples each: CPU summed, peak RSS summed over the processes (they
 * run side by side, so the engine's footprint is the sum of each one's peak; an upper bound of the joint peak).
 * Pure.
 */
export function procUsage(before: readonly (ProcSample | undefined)[], after: readonly (ProcSample | undefined)[]): ProcSample {
  let cpuMs = 0;
  let peakRssKiB = 0;
  after.forEach((a, i) => {
    if (!a) return;
    cpuMs += Math.max(0, a.cpuMs - (before[i]?.cpuMs ?? 0));
    peakRssKiB += a.peakRssKiB;
  });
  return { cpuMs, peakRssKiB };
}

/**
 * Sums a counter of Prometheus text exposition over the samples whose labels pass `keep`
 * (e.g. rest_client_requests_total by method). Pure.
 */
export function sumCounter(text: string, metric: string, keep: (labels: Record<string, string>) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(metric)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    const v = Number(m[3]);
    if (Number.isFinite(v) && keep(labels)) sum += v;
  }
  return sum;
}

/** Non-GET requests a client-go/controller-runtime process made, from its /metrics text (dry-runs included). Pure. */
export function clientWrites(metricsText: string): number {
  return sumCounter(metricsText, "rest_client_requests_total", (l) => l["method"] !== undefined && l["method"] !== "GET");
}

/** Dry-run requests the API server answered, from its /metrics text (apiserver_request_total, dry_run label set). Pure. */
export function serverDryRuns(metricsText: string): number {
  return sumCounter(metricsText, "apiserver_request_total", (l) => (l["dry_run"] ?? "") !== "");
}
