/** The side-by-side table of Plumbline, Flux and kubectl, measured in one run. Pure. */
import type { FluxResults, FluxRun } from "./flux-cases.ts";
import type { PlumbRun } from "./harness.ts";
import type { Results } from "./report.ts";
import { formatMiB, formatMs, ratioText, type Verdict } from "./stats.ts";

export const FLUX_HEADER = ["Case", "Plumbline", "Flux", "kubectl", "Comparison", "Writes (Plumbline / Flux)", "CPU (Plumbline / Flux)", "Peak RSS (Plumbline / Flux)", "Target", "Verdict"];

export interface FluxRow {
  case: string;
  plumbline: string;
  flux: string;
  kubectl: string;
  comparison: string;
  writes: string;
  cpu: string;
  rss: string;
  target: string;
  verdict: Verdict;
}

const cpuS = (ms: number | undefined): string => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);
const pair = (a: string, b: string): string => `${a} / ${b}`;

/** Plumbline ahead of Flux on time (and, when given, under a time and RSS limit). */
export function aheadVerdict(plumbMs: number | undefined, fluxMs: number | undefined, limits: { ms?: number; rssKiB?: number; plumbRssKiB?: number | undefined } = {}): Verdict {
  if (plumbMs === undefined || fluxMs === undefined || !Number.isFinite(plumbMs)) return "n/a";
  let ok = plumbMs < fluxMs;
  if (limits.ms !== undefined) ok &&= plumbMs < limits.ms;
  if (limits.rssKiB !== undefined) ok &&= limits.plumbRssKiB !== undefined && limits.plumbRssKiB < limits.rssKiB;
  return ok ? "met" : "missed";
}

function row(name: string, p: { ms?: number; run?: PlumbRun; text?: string } | undefined, f: FluxRun | undefined, kubectl: string, target: string, limits: Parameters<typeof aheadVerdict>[2] = {}): FluxRow {
  const pMs = p?.ms ?? p?.run?.wallMs;
  return {
    case: name,
    plumbline: p?.text ?? (pMs === undefined ? "n/a" : `${formatMs(pMs)}${p?.run && !p.run.allReady ? " NOT READY" : ""}`),
    flux: f ? formatMs(f.ms) : "n/a",
    kubectl,
    comparison: ratioText(pMs, f?.ms, "Flux"),
    writes: pair(String(p?.run?.writes ?? "n/a"), String(f?.writes ?? "n/a")),
    cpu: pair(cpuS(p?.run?.cpuMs), cpuS(f?.cpuMs)),
    rss: pair(formatMiB(p?.run?.maxRssKiB), formatMiB(f?.peakRssKiB)),
    target,
    verdict: p?.run && !p.run.allReady ? "missed" : aheadVerdict(pMs, f?.ms, { ...limits, plumbRssKiB: p?.run?.maxRssKiB }),
  };
}

export function fluxRows(r: Results, f: FluxResults): FluxRow[] {
  const rows: FluxRow[] = [];
  const err = (name: string, key: string): boolean => {
    const e = f.errors[key];
    if (e) rows.push({ case: name, plumbline: "-", flux: `error: ${e.split("\n")[0]}`, kubectl: "-", comparison: "-", writes: "-", cpu: "-", rss: "-", target: "-", verdict: "n/a" });
    return !!e;
  };
  err("Flux side", "setup");
  const a = r.initialApply;
  const c1 = `1. Initial apply (${a?.objects ?? "?"} objects)`;
  if (!err(c1, "1") && (a || f.initialApply)) rows.push(row(c1, a && { run: a.plumb }, f.initialApply, a ? formatMs(a.kubectl.totalMs) : "n/a", "ahead of Flux"));
  const n = r.noop;
  const c2 = "2. No-op reconcile";
  if (!err(c2, "2") && (n || f.noop)) rows.push(row(c2, n && { run: n.plumb }, f.noop, n ? formatMs(n.kubectl.totalMs) : "n/a", "ahead of Flux"));
  const d = r.drift;
  const c3 = `3. Drift correction (Flux interval: ${f.drift?.interval ?? "1m"})`;
  if (!err(c3, "3") && (d || f.drift)) {
    const fd = f.drift;
    rows.push({
      case: c3,
      plumbline: d ? `median ${formatMs(d.medianMs)} (watch)` : "n/a",
      flux: fd ? `median ${formatMs(fd.medianMs)}, max ${formatMs(fd.maxMs)} (${fd.latenciesMs.length} of ${fd.latenciesMs.length + fd.timeouts}; a drift waits for the next interval)` : "n/a",
      kubectl: "does not correct drift",
      comparison: ratioText(d?.medianMs, fd?.medianMs, "Flux"),
      writes: pair(String(d?.watchWrites ?? "n/a"), String(fd?.run.writes ?? "n/a")),
      cpu: pair("n/a", cpuS(fd?.run.cpuMs)),
      rss: pair(formatMiB(d?.maxRssKiB), formatMiB(fd?.run.peakRssKiB)),
      target: "ahead of Flux",
      verdict: aheadVerdict(d?.medianMs, fd?.medianMs),
    });
    rows.push({
      case: "3. Drift correction (Flux interval: 10m, what flux bootstrap writes; the API has no default)",
      plumbline: d ? `median ${formatMs(d.medianMs)} (watch)` : "n/a",
      flux: "at the next interval: up to 10m ±5% jitter, 5m on average (derived from the 1m row, not waited for)",
      kubectl: "does not correct drift",
      comparison: ratioText(d?.medianMs, 300_000, "Flux (average)"),
      writes: "-", cpu: "-", rss: "-",
      target: "ahead of Flux",
      verdict: aheadVerdict(d?.medianMs, 300_000),
    });
  }
  const ch = r.chain;
  const c4 = `4. dependsOn chain (${ch?.levels ?? 6} levels)`;
  if (!err(c4, "4") && (ch || f.chain)) rows.push(row(c4, ch && { run: ch.plumb }, f.chain, ch ? `${formatMs(ch.kubectlSequentialMs)} (sequential)` : "n/a", "ahead of Flux"));
  for (const m of f.many) {
    const name = `5. ${m.kustomizations} Kustomizations x 4 objects`;
    const big = m.kustomizations === 1000;
    const r5 = row(name, m.plumb && { run: m.plumb }, m.flux, "-", big ? "ahead of Flux; <60 s; peak RSS <250 MiB" : "ahead of Flux", big ? { ms: 60_000, rssKiB: 250 * 1024 } : {});
    if (m.errors["plumb"]) r5.plumbline = `error: ${m.errors["plumb"].split("\n")[0]}`;
    if (m.errors["flux"]) r5.flux = `error: ${m.errors["flux"].split("\n")[0]}`;
    rows.push(r5);
  }
  return rows;
}

export function fluxRowCells(x: FluxRow): string[] {
  return [x.case, x.plumbline, x.flux, x.kubectl, x.comparison, x.writes, x.cpu, x.rss, x.target, x.verdict];
}

export const FLUX_METHOD = [
  "- Flux's source-controller and kustomize-controller (pinned in tools/flux/go.mod, built by scripts/build-flux.sh) run as local processes against the same API server, after Plumbline's cases, watching only their own namespace (`flux-bench`) and reading their own Git repository (smart HTTP on 127.0.0.1); their objects live in namespaces and CRD groups of their own.",
  "- The GitRepository is Ready before the cases (a warm source, as Plumbline's Git cache is). A Flux case is timed from the benchmark's first create of its Kustomizations (case 2: the `reconcile.fluxcd.io/requestedAt` annotation `flux reconcile` sets) until a watch sees every one Ready for its generation (case 2: that request handled). Plumbline's figure is its process's wall time (spawn to exit, Node start included); its case 3 figure is watch mode's median.",
  "- Writes: Plumbline's client counter (non-GET, non-dry-run requests); Flux's `rest_client_requests_total` of both controllers (non-GET) less the dry-runs the API server counted meanwhile (`apiserver_request_total` with `dry_run`). Both include status patches and Events. The Kustomizations the benchmark creates for Flux are not Flux's writes; Plumbline creates its own (they are in its count).",
  "- CPU: Plumbline's `process.cpuUsage()`; Flux's utime + stime of both controllers from /proc/<pid>/stat over the case. Peak RSS: Plumbline's `maxRSS`; Flux's VmHWM of both controllers from /proc/<pid>/status, reset at each case's start (`clear_refs`), summed.",
];
