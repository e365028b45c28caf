/**
 * The measured Plumbline process: what `plumb sync [--watch]` does, plus exact counters.
 * Prints JSON lines on stdout: {type:"synced"} after the one-shot sync, {type:"reconciled"} per watch
 * reconcile, and {type:"exit"} last, with the HTTP request/write counts and the process's peak RSS.
 *
 * usage: node bench/plumb-child.ts --source <repo> --path <dir> --cache-dir <dir> [--watch]   (KUBECONFIG set)
 * With PLUMB_BENCH_TRACE=1 and PLUMB_TRACE_REQ=1, every request is also printed on stderr as "start-end METHOD path" (ms).
 */
import module from "node:module";
import { parseArgs } from "node:util";
import type { EngineEvent } from "../src/core/events.ts";
import type { SyncOptions } from "../src/reconcile/sync.ts";

// as bin/plumb.js: the compile cache on before the engine's modules load
module.enableCompileCache?.();
const { KubeClient } = await import("../src/kube/client.ts");
const { makeSopsDecryptor } = await import("../src/reconcile/sops-decryptor.ts");
const { bootstrapObjects, newEngineState, sync } = await import("../src/reconcile/sync.ts");
const { watchTree } = await import("../src/reconcile/watch.ts");
type KubeClient = InstanceType<typeof KubeClient>;

const { values: f } = parseArgs({
  options: { source: { type: "string" }, path: { type: "string" }, "cache-dir": { type: "string" }, watch: { type: "boolean", default: false } },
  strict: true,
});

function emit(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

/** First and last time (ms since the sync started) and count of each phase: request categories and engine events. */
type Timeline = Map<string, [number, number, number]>;

function mark(timeline: Timeline, phase: string, at: number, startedAt = at): void {
  const t = timeline.get(phase);
  if (t) {
    t[0] = Math.min(t[0], Math.round(startedAt));
    t[1] = Math.max(t[1], Math.round(at));
    t[2]++;
  } else timeline.set(phase, [Math.round(startedAt), Math.round(at), 1]);
}

/** The phase a request belongs to, from its method and path. */
function requestPhase(method: string, path: string): string {
  const [p = "", q = ""] = path.split("?");
  if (/^\/(api\/v1|apis(\/[^/]+\/[^/]+)?)$/.test(p)) return "discovery";
  if (q.includes("dryRun=All")) return "dry-run";
  if (method === "PATCH" && p.endsWith("/status")) return "status patch";
  if (method === "PATCH" && q.includes("fieldManager=")) return "apply";
  if (method === "GET") return q.includes("labelSelector") ? "list by owner" : "get";
  return `${method.toLowerCase()}`;
}

/**
 * Counts requests by method, resource collection and query keys (names elided), for finding where requests go,
 * and records when each phase of requests ran.
 */
function traceRequests(kube: KubeClient, timeline: Timeline, t0: () => number): Map<string, number> {
  const counts = new Map<string, number>();
  const original = kube.http.request.bind(kube.http);
  kube.http.request = (method, path, opts) => {
    const [p = "", q = ""] = path.split("?");
    const parts = p.split("/");
    // /api/v1/namespaces/NS/configmaps/NAME -> keep the resource, drop namespace and object names
    const nsAt = parts.indexOf("namespaces");
    const shape = nsAt >= 0 && parts.length > nsAt + 2 ? [...parts.slice(0, nsAt), parts[nsAt + 2], parts.length > nsAt + 3 ? "NAME" : "", ...parts.slice(nsAt + 4)] : parts;
    const keys = [...new URLSearchParams(q).keys()].join(",");
    const key = `${method} ${shape.filter(Boolean).join("/")}${keys ? `?${keys}` : ""}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const started = performance.now() - t0();
    const phase = requestPhase(method, path);
    const done = (): void => {
      mark(timeline, phase, performance.now() - t0(), started);
      if (process.env["PLUMB_TRACE_REQ"]) process.stderr.write(`${Math.round(started)}-${Math.round(performance.now() - t0())} ${method} ${path}\n`);
    };
    const res = original(method, path, opts);
    res.then(done, done);
    return res;
  };
  return counts;
}

async function main(): Promise<number> {
  const kubeconfig = process.env["KUBECONFIG"];
  if (!f.source || !f.path || !f["cache-dir"] || !kubeconfig) {
    process.stderr.write("plumb-child: --source, --path, --cache-dir and KUBECONFIG are required\n");
    return 2;
  }
  const kube = KubeClient.fromKubeconfig(kubeconfig);
  let syncStart = performance.now();
  const timeline: Timeline = new Map();
  const trace = process.env["PLUMB_BENCH_TRACE"] === "1" ? traceRequests(kube, timeline, () => syncStart) : undefined;
  const errors: string[] = [];
  const events = (e: EngineEvent): void => {
    if (e.type === "log" && e.level === "error") errors.push(e.message);
    const now = performance.now() - syncStart;
    if (e.type === "render.done") mark(timeline, "render", now, now - e.durationMs);
    else if (e.type === "source.fetched") mark(timeline, "source fetch", now, now - e.durationMs);
    else if (e.type === "kustomization.done") mark(timeline, "kustomization done", now);
  };
  const opts: SyncOptions = { kube, url: f.source, ref: { branch: "main" }, path: f.path, cacheDir: f["cache-dir"], events, makeDecryptor: makeSopsDecryptor, ...(f.watch ? {} : { oneShot: true }) };
  try {
    const state = newEngineState(kube, opts.cacheDir, events);
    syncStart = performance.now();
    const report = await sync(opts, state);
    emit({
      type: "synced",
      kustomizations: report.kustomizations.map((k) => ({ name: k.name, namespace: k.namespace, ready: k.ready, reason: k.reason, message: k.message, changes: k.changes, durationMs: k.durationMs })),
      writes: report.writes,
      durationMs: report.durationMs,
      requests: kube.http.requests,
      timeline: Object.fromEntries([...timeline].sort((a, b) => a[1][0] - b[1][0])),
    });
    if (f.watch) {
      const ctrl = new AbortController();
      process.once("SIGTERM", () => ctrl.abort());
      process.once("SIGINT", () => ctrl.abort());
      await watchTree(opts, state, bootstrapObjects(opts).source, ctrl.signal, (r) => {
        emit({ type: "reconciled", trigger: r.trigger, kustomizations: r.kustomizations.map((k) => ({ name: k.name, ready: k.ready, changes: k.changes, durationMs: k.durationMs })) });
      });
    }
    return report.kustomizations.length > 0 && report.kustomizations.every((k) => k.ready) ? 0 : 1;
  } finally {
    // maxRSS is in KiB on Linux
    const cpu = process.cpuUsage();
    emit({ type: "exit", requests: kube.http.requests, writes: kube.http.writes, maxRssKiB: process.resourceUsage().maxRSS, cpuMs: Math.round((cpu.user + cpu.system) / 1000), errors: errors.slice(0, 5), ...(trace ? { requestsByKind: Object.fromEntries([...trace].sort((a, b) => b[1] - a[1])) } : {}) });
    kube.close();
  }
}

/** Exits once stdout is flushed: a pipe is written asynchronously, and exiting at once cut a long line (1000 Kustomizations). */
function exitFlushed(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

main().then(
  (code) => exitFlushed(code),
  (err: unknown) => {
    emit({ type: "error", message: err instanceof Error ? err.message : String(err), maxRssKiB: process.resourceUsage().maxRSS });
    exitFlushed(2);
  },
);
