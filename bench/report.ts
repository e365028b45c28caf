/** Turns case results into the summary table, the Markdown report and the JSON record. Pure. */
import type { ChainResult, DriftResult, InitialApplyResult, ManyResult, NoopResult } from "./cases.ts";
import type { FluxResults } from "./flux-cases.ts";
import { FLUX_HEADER, FLUX_METHOD, fluxRowCells, fluxRows } from "./flux-report.ts";
import { formatMiB, formatMs, markdownTable, median, ratioText, verdict, type Verdict } from "./stats.ts";

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  kubernetes: string;
  kubectl: string;
  date: string;
}

export interface Results {
  size: string;
  machine: MachineInfo;
  initialApply?: InitialApplyResult;
  noop?: NoopResult;
  drift?: DriftResult;
  chain?: ChainResult;
  many?: ManyResult;
  /** The side-by-side cases with Flux (absent with --no-flux). */
  flux?: FluxResults;
  errors: Record<string, string>;
  totalMs: number;
}

export interface SummaryRow {
  case: string;
  plumbline: string;
  baseline: string;
  comparison: string;
  target: string;
  verdict: Verdict;
  peakRss: string;
}

export const SUMMARY_HEADER = ["Case", "Plumbline", "Baseline (same run)", "Comparison", "Target", "Verdict", "Peak RSS"];

/** Flux's published kustomize-controller figures on 2 CPUs (reference only, not measured here). */
export const FLUX_REFERENCE = "Flux (published, 2 CPUs): 100 Kustomizations ~26 s, 1000 in 4m13s";

export function summaryRows(r: Results): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const failed = (name: string): void => {
    if (r.errors[name]) rows.push({ case: name, plumbline: "error", baseline: "-", comparison: "-", target: "-", verdict: "n/a", peakRss: "-" });
  };
  const a = r.initialApply;
  if (a) {
    const rounds = a.rounds;
    const ratios = rounds.map((x) => x.kubectlMs / x.plumbMs);
    const ratio = median(ratios) ?? NaN;
    const several = rounds.length > 1;
    rows.push({
      case: `1. Initial apply (${a.objects} objects)`,
      plumbline: `${formatMs(a.plumb.wallMs)} (sync ${formatMs(a.plumb.syncMs)}; ${a.plumb.writes} writes, ${a.plumb.requests} requests)${a.plumb.allReady ? "" : " NOT READY"}${several ? `; rounds ${rounds.map((x) => formatMs(x.plumbMs)).join(", ")}` : ""}`,
      baseline: `kubectl apply --server-side: ${formatMs(a.kubectl.totalMs)}${several ? `; rounds ${rounds.map((x) => formatMs(x.kubectlMs)).join(", ")}` : ""}`,
      comparison: several
        ? `median of ${rounds.length} paired rounds: ${ratioText(1, ratio, "kubectl")} (${ratios.map((x) => `${x.toFixed(1)}x`).join(", ")})`
        : ratioText(a.plumb.wallMs, a.kubectl.totalMs, "kubectl"),
      target: "≥2x faster than kubectl SSA",
      verdict: rounds.every((x) => x.plumbReady) ? verdict(ratio, 2, ">=") : "missed",
      peakRss: formatMiB(a.plumb.maxRssKiB),
    });
  } else failed("1. Initial apply");
  const n = r.noop;
  if (n) {
    const v = verdict(n.plumb.syncMs, 1000, "<") === "met" && n.plumb.writes === 0 && n.plumb.allReady ? "met" : "missed";
    rows.push({
      case: `2. No-op reconcile (${n.objects} objects)`,
      plumbline: `sync ${formatMs(n.plumb.syncMs)}, ${n.plumb.writes} writes, ${n.plumb.requests} requests (process ${formatMs(n.plumb.wallMs)})`,
      baseline: `kubectl apply --server-side: ${formatMs(n.kubectl.totalMs)}`,
      comparison: ratioText(n.plumb.wallMs, n.kubectl.totalMs, "kubectl"),
      target: "<1 s with 0 writes (1000 objects)",
      verdict: v,
      peakRss: formatMiB(n.plumb.maxRssKiB),
    });
  } else failed("2. No-op reconcile");
  const d = r.drift;
  if (d) {
    rows.push({
      case: `3. Drift correction, watch mode (${d.iterations}x)`,
      plumbline: `median ${formatMs(d.medianMs)}, p95 ${formatMs(d.p95Ms)}, max ${formatMs(d.maxMs)}${d.timeouts ? `, ${d.timeouts} timed out (>30 s)` : ""}; ${d.watchWrites ?? "?"} writes while watching`,
      baseline: "none (kubectl does not correct drift)",
      comparison: "-",
      target: "p95 <2 s",
      verdict: verdict(d.p95Ms, 2000, "<"),
      peakRss: formatMiB(d.maxRssKiB),
    });
  } else failed("3. Drift correction");
  const c = r.chain;
  if (c) {
    rows.push({
      case: `4. Dependency chain (${c.levels} levels)`,
      plumbline: `overhead ${formatMs(c.overheadMs)} (sync ${formatMs(c.plumb.syncMs)} - Σ own ${formatMs(c.sumOwnMs)}); process ${formatMs(c.plumb.wallMs)}${c.plumb.allReady ? "" : " NOT READY"}`,
      baseline: `${c.levels + 1} sequential kubectl applies: ${formatMs(c.kubectlSequentialMs)}`,
      comparison: ratioText(c.plumb.wallMs, c.kubectlSequentialMs, "kubectl sequence"),
      target: "overhead <1 s for 6 levels",
      verdict: c.plumb.allReady ? verdict(c.overheadMs, 1000, "<") : "missed",
      peakRss: formatMiB(c.plumb.maxRssKiB),
    });
  } else failed("4. Dependency chain");
  const m = r.many;
  if (m) {
    rows.push({
      case: `5. Many Kustomizations (${m.kustomizations} x 4 objects)`,
      plumbline: `${formatMs(m.plumb.wallMs)} to all Ready (sync ${formatMs(m.plumb.syncMs)}; ${m.plumb.writes} writes)${m.plumb.allReady ? "" : " NOT READY"}`,
      baseline: `one kubectl apply of the ${m.objects} objects: ${formatMs(m.kubectlMs)}; ${FLUX_REFERENCE}`,
      comparison: ratioText(m.plumb.wallMs, m.kubectlMs, "kubectl"),
      target: "200 Kustomizations <30 s",
      verdict: m.kustomizations === 200 && m.plumb.allReady ? verdict(m.plumb.wallMs, 30_000, "<") : m.plumb.allReady ? "n/a" : "missed",
      peakRss: formatMiB(m.plumb.maxRssKiB),
    });
  } else failed("5. Many Kustomizations");
  const rss = [a?.plumb.maxRssKiB, n?.plumb.maxRssKiB, d?.maxRssKiB, c?.plumb.maxRssKiB, m?.plumb.maxRssKiB].filter((x): x is number => x !== undefined);
  const peak = rss.length ? Math.max(...rss) : undefined;
  rows.push({
    case: "6. Peak RSS of the plumb process",
    plumbline: `max ${formatMiB(peak)} over the cases above`,
    baseline: "-",
    comparison: "-",
    target: "<300 MiB",
    verdict: verdict(peak === undefined ? undefined : peak / 1024, 300, "<"),
    peakRss: formatMiB(peak),
  });
  return rows;
}

export function rowCells(row: SummaryRow): string[] {
  return [row.case, row.plumbline, row.baseline, row.comparison, row.target, row.verdict, row.peakRss];
}

/** "kube-apiserver 4.2 s (1.9 ms per request), etcd ..." for one side of a case. Pure. */
export function cpuText(controlPlane: Record<string, number>, plumbMs?: number, requests?: number): string {
  const parts = Object.entries(controlPlane).sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${formatMs(ms)}${name === "kube-apiserver" && requests ? ` (${(ms / requests).toFixed(1)} ms per request)` : ""}`);
  if (plumbMs !== undefined) parts.unshift(`plumb ${formatMs(plumbMs)}`);
  return parts.join(", ");
}

export function markdownReport(r: Results): string {
  const m = r.machine;
  const lines = [
    "# Plumbline benchmarks",
    "",
    `Size \`${r.size}\`, run ${m.date}, total ${formatMs(r.totalMs)}. Generated by \`npm run bench -- --size ${r.size}\`; every baseline was measured in the same run against the same API server.`,
    "",
    "| Machine | |",
    "|---|---|",
    `| CPUs | ${m.cpus} x ${m.cpuModel} |`,
    `| Memory | ${m.memoryGiB.toFixed(1)} GiB |`,
    `| OS | ${m.os} |`,
    `| Node | ${m.node} |`,
    `| Kubernetes (local control plane) | ${m.kubernetes} |`,
    `| kubectl | ${m.kubectl} |`,
    "",
    markdownTable(SUMMARY_HEADER, summaryRows(r).map(rowCells)),
    "Targets are reported, never asserted.",
    "",
    "## How each number is measured",
    "",
    "- Plumbline runs in its own process per case (`bench/plumb-child.ts`: what `plumb sync` does, plus counters). *Process* time is spawn to exit (Node start and module load included); *sync* is the engine's own duration. Peak RSS is `process.resourceUsage().maxRSS` of that process. Writes and requests are the client's HTTP counters (writes: every non-GET, non-dry-run request, including status patches and Events).",
    "- 1: the same generated tree twice, with different namespaces and CRD groups, so each side creates everything. kubectl time = apply the CRD + `kubectl wait --for=condition=established` + apply the rest (kubectl cannot map custom resources in the same invocation that creates their CRD). Deployments have `replicas: 0`. A warm-up (one small sync and one small kubectl apply) runs first; Plumbline's Git cache is then warm (same commit: the artifact is reused, the tree is still rendered in full), as kubectl reads its YAML from local disk. Several paired rounds (plumb, then kubectl, each on trees of its own) run, the first before case 2 and the others after it; the verdict takes the median of the per-round ratios, since this VM's speed drifts between runs. Each round starts on a quiet control plane: the benchmark waits (at most 90 s) until the control-plane processes together use under 15% of a CPU over a second, because the controller manager works off an earlier round's Deployments and Services at its client rate limit for up to a minute; kubectl then runs right after Plumbline, as in the first round.",
    "- 2: the same commands again on unchanged trees; the verdict uses the engine's sync time and writes.",
    "- 3: `plumb sync --watch` on a small tree; the benchmark merge-patches a managed ConfigMap key with another field manager (as `kubectl patch` would) and times, through its own watch, from just before the patch until the Git value is back. One unmeasured warm-up drift first (Plumbline's watches start asynchronously).",
    "- 4: overhead = sync duration minus the sum of every Kustomization's own `durationMs` (flux-system included): ordering, scheduling, bootstrap and CRD checks.",
    `- 5: to all Ready = the sync process's wall time. ${FLUX_REFERENCE} (reference only; different machine, different controller).`,
    "",
  ];
  if (r.flux) {
    lines.push(`## Side by side with Flux ${r.flux.version}`, "", markdownTable(FLUX_HEADER, fluxRows(r, r.flux).map(fluxRowCells)), ...FLUX_METHOD, ...r.flux.notes.map((n) => `- Note: ${n}.`), "");
    if (r.flux.drift) lines.push(`Flux drift latencies at interval ${r.flux.drift.interval} (ms): ${r.flux.drift.latenciesMs.join(", ")}`, "");
  }
  if (r.drift) lines.push(`Drift latencies (ms): ${r.drift.latenciesMs.join(", ")}`, "");
  if (r.initialApply) lines.push(`kubectl initial apply split: CRD ${formatMs(r.initialApply.kubectl.crdMs)}, wait ${formatMs(r.initialApply.kubectl.waitMs)}, rest ${formatMs(r.initialApply.kubectl.restMs)}.`, "");
  if (r.initialApply?.plumbControlPlaneCpu) lines.push(`Case 1 CPU time while each side ran (control plane from /proc, plumb its own process): ${cpuText(r.initialApply.plumbControlPlaneCpu, r.initialApply.plumb.cpuMs, r.initialApply.plumb.requests)}; kubectl side: ${cpuText(r.initialApply.kubectlControlPlaneCpu)}.`, "");
  for (const [title, run] of [["1", r.initialApply?.plumb], ["2", r.noop?.plumb], ["5", r.many?.plumb]] as const) {
    if (run && Object.keys(run.timeline ?? {}).length) lines.push(`Case ${title} timeline (ms from the sync's start: first-last, count): ${timelineText(run.timeline)}.`, "");
  }
  const byKind = r.initialApply?.plumb.requestsByKind;
  if (byKind && Object.keys(byKind).length) {
    // group per-resource shapes by method and query keys: GET, dry-run apply, apply, discovery...
    const groups = new Map<string, number>();
    for (const [k, v] of Object.entries(byKind)) {
      const [method = "", rest = ""] = k.split(" ");
      const query = rest.includes("?") ? `?${rest.split("?")[1]}` : "";
      const kind = /^(api\/v1|apis\/[^/]+\/[^/]+)$/.test(rest) || rest === "apis" ? "discovery"
        : method !== "GET" || /\/NAME(\?|$)/.test(rest) ? "object"
          : rest.includes("labelSelector") ? "list" : "cluster-scoped object or list";
      const key = `${method} ${kind}${query}`;
      groups.set(key, (groups.get(key) ?? 0) + v);
    }
    lines.push("Plumbline's requests in case 1, by shape:", "", markdownTable(["Request", "Count"], [...groups].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, String(v)])));
  }
  const errs = Object.entries(r.errors);
  if (errs.length) {
    lines.push("## Errors", "");
    for (const [k, v] of errs) lines.push(`- ${k}: \`${v.split("\n")[0]}\``);
    lines.push("");
  }
  return lines.join("\n");
}

/** "render 40-1540 (1), dry-run 1900-3300 (1121), ..." in start order. Pure. */
export function timelineText(t: Record<string, [number, number, number]>): string {
  return Object.entries(t).sort((a, b) => a[1][0] - b[1][0]).map(([phase, [first, last, n]]) => `${phase} ${first}-${last} (${n})`).join(", ");
}

export function jsonReport(r: Results): string {
  return JSON.stringify({ ...r, summary: summaryRows(r) }, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}
