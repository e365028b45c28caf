/**
 * The measured Plumbline process: what `plumb sync [--watch]` does, plus exact counters.
 * Prints JSON lines on stdout: {type:"synced"} after the one-shot sync, {type:"reconciled"} per watch
 * reconcile, and {type:"exit"} last, with the HTTP request/write counts and the process's peak RSS.
 *
 * usage: node bench/plumb-child.ts --source <repo> --path <dir> --cache-dir <dir> [--watch]   (KUBECONFIG set)
 */
import { parseArgs } from "node:util";
import type { EngineEvent } from "../src/core/events.ts";
import { KubeClient } from "../src/kube/client.ts";
import { makeSopsDecryptor } from "../src/reconcile/sops-decryptor.ts";
import { bootstrapObjects, newEngineState, sync, type SyncOptions } from "../src/reconcile/sync.ts";
import { watchTree } from "../src/reconcile/watch.ts";

const { values: f } = parseArgs({
  options: { source: { type: "string" }, path: { type: "string" }, "cache-dir": { type: "string" }, watch: { type: "boolean", default: false } },
  strict: true,
});

function emit(line: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

/** Counts requests by method, resource collection and query keys (names elided), for finding where requests go. */
function traceRequests(kube: KubeClient): Map<string, number> {
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
    return original(method, path, opts);
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
  const trace = process.env["PLUMB_BENCH_TRACE"] === "1" ? traceRequests(kube) : undefined;
  const errors: string[] = [];
  const events = (e: EngineEvent): void => {
    if (e.type === "log" && e.level === "error") errors.push(e.message);
  };
  const opts: SyncOptions = { kube, url: f.source, ref: { branch: "main" }, path: f.path, cacheDir: f["cache-dir"], events, makeDecryptor: makeSopsDecryptor };
  try {
    const state = newEngineState(kube, opts.cacheDir, events);
    const report = await sync(opts, state);
    emit({
      type: "synced",
      kustomizations: report.kustomizations.map((k) => ({ name: k.name, namespace: k.namespace, ready: k.ready, reason: k.reason, message: k.message, changes: k.changes, durationMs: k.durationMs })),
      writes: report.writes,
      durationMs: report.durationMs,
      requests: kube.http.requests,
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
    emit({ type: "exit", requests: kube.http.requests, writes: kube.http.writes, maxRssKiB: process.resourceUsage().maxRSS, errors: errors.slice(0, 5), ...(trace ? { requestsByKind: Object.fromEntries([...trace].sort((a, b) => b[1] - a[1])) } : {}) });
    kube.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    emit({ type: "error", message: err instanceof Error ? err.message : String(err), maxRssKiB: process.resourceUsage().maxRSS });
    process.exit(2);
  },
);
