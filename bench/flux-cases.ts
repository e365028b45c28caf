/**
 * Flux beside Plumbline and kubectl: the same case shapes on Flux's own namespaces and Git repository, run after
 * Plumbline's cases (never both engines on one object set at once). Each Flux case is timed from the moment the
 * benchmark creates (or touches) the Kustomizations until the watch sees them Ready; writes, CPU and peak RSS are
 * the two controllers' own (their metrics endpoints and /proc).
 */
import { performance } from "node:perf_hooks";
import type { KubeObject } from "../src/core/object-ref.ts";
import { KubeApiError } from "../src/kube/http.ts";
import { FLUX_NAMESPACE, type FluxControllers } from "./flux-controllers.ts";
import { fluxKustomization, gitRepository, type FluxInputs } from "./flux-objects.ts";
import type { KustomizationWatch } from "./flux-watch.ts";
import { fluxReady, handledAt } from "./flux-watch.ts";
import { makeDrift } from "./cases.ts";
import type { BenchContext, PlumbRun } from "./harness.ts";
import { FieldWatch } from "./object-watch.ts";
import { clientWrites, procUsage, readProc, resetPeakRss, serverDryRuns } from "./proc-stats.ts";
import { median, percentile } from "./stats.ts";

const KS = "kustomize.toolkit.fluxcd.io/v1";

export interface FluxRun {
  /** From the benchmark's first create (or reconcile request) to all Ready. */
  ms: number;
  /** The controllers' non-GET requests less the dry-runs the API server answered meanwhile. */
  writes: number;
  /** CPU time of both controllers. */
  cpuMs: number;
  /** Sum of both controllers' peak RSS during the case (VmHWM, reset at its start). */
  peakRssKiB: number;
}

export interface FluxDriftResult {
  interval: string;
  latenciesMs: number[];
  timeouts: number;
  medianMs: number | undefined;
  maxMs: number | undefined;
  run: FluxRun;
}

export interface FluxManyResult {
  kustomizations: number;
  plumb?: PlumbRun;
  flux?: FluxRun;
  errors: Record<string, string>;
}

export interface FluxResults {
  version: string;
  initialApply?: FluxRun | undefined;
  noop?: FluxRun | undefined;
  drift?: FluxDriftResult | undefined;
  chain?: FluxRun | undefined;
  many: FluxManyResult[];
  errors: Record<string, string>;
  /** What differs from a plain install (e.g. CRDs without CEL rules on an old API server). */
  notes: string[];
}

export interface FluxContext {
  ctx: BenchContext;
  flux: FluxControllers;
  watch: KustomizationWatch;
  gitUrl: string;
  inputs: FluxInputs;
}

async function metricsText(url: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

/** The controllers' write counter as this case sees it (see FluxRun.writes). */
async function writeCounter(fc: FluxContext): Promise<number> {
  const texts = await Promise.all(fc.flux.controllers.map((c) => metricsText(c.metricsUrl)));
  const server = await fc.ctx.kube.http.request("GET", "/metrics", { accept: "text/plain" });
  return texts.reduce((a, t) => a + clientWrites(t), 0) - serverDryRuns(server.text);
}

async function measured(fc: FluxContext, fn: () => Promise<void>): Promise<FluxRun> {
  const pids = fc.flux.controllers.map((c) => c.pid);
  for (const pid of pids) resetPeakRss(pid);
  const p0 = pids.map(readProc);
  const w0 = await writeCounter(fc);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const usage = procUsage(p0, pids.map(readProc));
  return { ms, writes: (await writeCounter(fc)) - w0, ...usage };
}

/** Runs fn over items, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  }));
}

async function createAll(fc: FluxContext, objs: readonly KubeObject[]): Promise<void> {
  await pool(objs, 16, (o) => fc.ctx.kube.create(o));
}

/** Suspends a case's Kustomizations once measured, so their next interval does not load later cases. */
async function suspend(fc: FluxContext, names: readonly string[]): Promise<void> {
  await pool(names, 16, (n) => fc.ctx.kube.patch(KS, "Kustomization", FLUX_NAMESPACE, n, { spec: { suspend: true } }, "application/merge-patch+json"));
}

async function ensureNamespace(fc: FluxContext, name: string): Promise<void> {
  if (!(await fc.ctx.kube.get("v1", "Namespace", undefined, name))) await fc.ctx.kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/**
 * Retries fn while the API server answers 429 "storage is (re)initializing" (right after a CRD was replaced),
 * at most `tries` times a second apart.
 */
async function whileInitializing<T>(fn: () => Promise<T>, tries = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 429) || i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Flux's namespace, its GitRepository (Ready before any case: a warm source, as Plumbline's Git cache is) and a warm-up Kustomization. */
export async function fluxWarmUp(fc: FluxContext): Promise<void> {
  await ensureNamespace(fc, FLUX_NAMESPACE);
  await whileInitializing(() => fc.ctx.kube.create(gitRepository(FLUX_NAMESPACE, fc.gitUrl)));
  await whileInitializing(() => fc.watch.start());
  await createAll(fc, [fluxKustomization(FLUX_NAMESPACE, "warmup", fc.inputs.warmupPath)]);
  await fc.watch.waitAll(["warmup"], fluxReady, 180_000);
  await suspend(fc, ["warmup"]);
}

export async function fluxInitialApply(fc: FluxContext): Promise<FluxRun> {
  return measured(fc, async () => {
    await createAll(fc, [fluxKustomization(FLUX_NAMESPACE, "apply", fc.inputs.applyPath)]);
    await fc.watch.waitAll(["apply"], fluxReady, 20 * 60_000);
  });
}

/** A reconcile of the unchanged tree, asked for as `flux reconcile` does (the requestedAt annotation). */
export async function fluxNoop(fc: FluxContext): Promise<FluxRun> {
  const token = new Date().toISOString();
  const run = await measured(fc, async () => {
    await fc.ctx.kube.patch(KS, "Kustomization", FLUX_NAMESPACE, "apply", { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": token } } }, "application/merge-patch+json");
    await fc.watch.waitAll(["apply"], (o) => handledAt(o) === token && fluxReady(o), 10 * 60_000);
  });
  await suspend(fc, ["apply"]);
  return run;
}

/**
 * Flux corrects drift when its interval comes round. Each drift is made right after the previous correction, so
 * each latency is close to a whole interval (the worst case; a drift at a random time waits half of one on average).
 */
export async function fluxDrift(fc: FluxContext, iterations: number, interval = "1m"): Promise<FluxDriftResult> {
  const t = { ...fc.inputs.drift.target };
  await createAll(fc, [fluxKustomization(FLUX_NAMESPACE, "drift", fc.inputs.drift.path, { interval })]);
  await fc.watch.waitAll(["drift"], fluxReady, 180_000);
  const watch = new FieldWatch(fc.ctx.kube, { apiVersion: "v1", kind: "ConfigMap", namespace: t.namespace, name: t.name, read: (o) => (o["data"] as Record<string, string> | undefined)?.[t.key] });
  const latenciesMs: number[] = [];
  let timeouts = 0;
  await watch.start();
  try {
    const run = await measured(fc, async () => {
      for (let i = 0; i < iterations; i++) {
        const t0 = performance.now();
        const rv = await makeDrift(fc.ctx, t, `flux-drift-${i}`);
        const back = await watch.waitFor((s) => s.resourceVersion > rv && s.value === t.desired, 150_000);
        if (back) latenciesMs.push(Math.round(back.at - t0));
        else timeouts++;
      }
    });
    return { interval, latenciesMs, timeouts, medianMs: median(latenciesMs), maxMs: timeouts ? Infinity : percentile(latenciesMs, 100), run };
  } finally {
    watch.stop();
    await suspend(fc, ["drift"]);
  }
}

export async function fluxChain(fc: FluxContext): Promise<FluxRun> {
  await ensureNamespace(fc, fc.inputs.chain.namespace.metadata.name ?? "");
  const names = fc.inputs.chainPaths.map((_, i) => `chain-level-${i + 1}`);
  const objs = fc.inputs.chainPaths.map((path, i) => fluxKustomization(FLUX_NAMESPACE, names[i] as string, path, i ? { dependsOn: names[i - 1] as string } : {}));
  const run = await measured(fc, async () => {
    await createAll(fc, objs);
    await fc.watch.waitAll(names, fluxReady, 15 * 60_000);
  });
  await suspend(fc, names);
  return run;
}

export async function fluxMany(fc: FluxContext, m: FluxInputs["many"][number]): Promise<FluxRun> {
  await ensureNamespace(fc, m.namespace);
  const names = m.units.map((u) => u.name);
  const run = await measured(fc, async () => {
    await createAll(fc, m.units.map((u) => fluxKustomization(FLUX_NAMESPACE, u.name, u.path)));
    await fc.watch.waitAll(names, fluxReady, 30 * 60_000);
  });
  await suspend(fc, names);
  return run;
}
