/** The benchmark cases. Each measures Plumbline in its own process and a baseline in the same run. */
import { performance } from "node:perf_hooks";
import { resourcePath } from "../src/kube/rest-mapper.ts";
import type { ApplyTree, ChainTree, DriftTree, ManyTree } from "./generate.ts";
import { kubectlApply, kubectlWaitEstablished, resetBootstrap, runPlumbSync, startPlumbWatch, writeYaml, type BenchContext, type PlumbRun } from "./harness.ts";
import { cpuDelta, cpuSnapshot, settle, type CpuSnapshot } from "./cpu-usage.ts";
import { FieldWatch } from "./object-watch.ts";
import { median, percentile } from "./stats.ts";

export interface Inputs {
  plumbApply: ApplyTree;
  kubectlApply: ApplyTree;
  /** Rounds 2.. of case 1: their own namespaces and CRD groups. */
  extraApplyRounds: ExtraApplyRound[];
  applyPath: string;
  drift: DriftTree;
  chain: ChainTree;
  kubectlChain: ChainTree;
  many: ManyTree;
  kubectlMany: ManyTree;
  warmupPath: string;
}

export interface KubectlApplyTiming {
  crdMs: number;
  waitMs: number;
  restMs: number;
  totalMs: number;
}

/** One paired round of the initial apply: plumb's process wall time and kubectl's total, same objects, fresh namespaces. */
export interface ApplyRound {
  plumbMs: number;
  kubectlMs: number;
  plumbReady: boolean;
}

export interface ExtraApplyRound {
  /** The plumb side's path in the repository. */
  path: string;
  kubectl: ApplyTree;
  /** Names the kubectl side's files. */
  tag: string;
}

export interface InitialApplyResult {
  objects: number;
  plumb: PlumbRun;
  kubectl: KubectlApplyTiming;
  /** Every paired round, the first being `plumb` and `kubectl` above (more rounds run after the no-op case). */
  rounds: ApplyRound[];
  /** Control-plane CPU (ms per process name) while each side ran. */
  plumbControlPlaneCpu: CpuSnapshot;
  kubectlControlPlaneCpu: CpuSnapshot;
}

export interface NoopResult {
  objects: number;
  plumb: PlumbRun;
  kubectl: KubectlApplyTiming;
}

export interface DriftResult {
  iterations: number;
  latenciesMs: number[];
  timeouts: number;
  medianMs: number | undefined;
  p95Ms: number | undefined;
  maxMs: number | undefined;
  /** Writes Plumbline made while watching (corrections plus status/events). */
  watchWrites: number | undefined;
  initialSyncMs: number | undefined;
  maxRssKiB: number | undefined;
}

export interface ChainResult {
  levels: number;
  plumb: PlumbRun;
  sumOwnMs: number;
  overheadMs: number;
  kubectlSequentialMs: number;
}

export interface ManyResult {
  kustomizations: number;
  objects: number;
  plumb: PlumbRun;
  kubectlMs: number;
}

/** Warms the API server, discovery caches and the Flux CRDs, so the first measured case pays no first-use costs. */
export async function warmUp(ctx: BenchContext, inputs: Inputs): Promise<void> {
  await resetBootstrap(ctx);
  const r = await runPlumbSync(ctx, inputs.warmupPath);
  if (!r.allReady) throw new Error(`warm-up sync not ready: ${JSON.stringify(r.kustomizations)}`);
  const file = writeYaml(ctx, "warmup.yaml", [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench-warmup-k" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "warmup", namespace: "bench-warmup-k" }, data: { a: "b" } },
  ]);
  await kubectlApply(ctx, file);
}

async function kubectlApplyTree(ctx: BenchContext, t: ApplyTree, tag: string, waitCrd: boolean): Promise<KubectlApplyTiming> {
  // kubectl cannot map custom resources before their CRD is established: apply the CRD, wait, then the rest
  const crdFile = writeYaml(ctx, `${tag}-crd.yaml`, [t.crd]);
  const restFile = writeYaml(ctx, `${tag}-rest.yaml`, [...t.namespaces, ...t.objects]);
  const crdMs = await kubectlApply(ctx, crdFile);
  const waitMs = waitCrd ? await kubectlWaitEstablished(ctx, t.crd.metadata.name ?? "") : 0;
  const restMs = await kubectlApply(ctx, restFile);
  return { crdMs, waitMs, restMs, totalMs: crdMs + waitMs + restMs };
}

/**
 * Each round of case 1 starts on a quiet control plane (see settle), as the first does after the warm-up, so the
 * work an earlier round left behind does not load it. kubectl then follows at once: the two sides of a round
 * run back to back, as close in time as they can be on a machine whose speed drifts.
 */
async function quiet(ctx: BenchContext): Promise<void> {
  const s = await settle(ctx.controlPlane);
  if (s.waitedMs > 1500 || !s.quiet) ctx.log(`  control plane ${s.quiet ? "quiet" : "still busy"} after ${(s.waitedMs / 1000).toFixed(1)}s`);
}

export async function initialApply(ctx: BenchContext, inputs: Inputs): Promise<InitialApplyResult> {
  await resetBootstrap(ctx);
  const objects = inputs.plumbApply.namespaces.length + 1 + inputs.plumbApply.objects.length;
  ctx.log(`  plumb sync of ${objects} objects`);
  await quiet(ctx);
  const c0 = cpuSnapshot(ctx.controlPlane);
  const plumb = await runPlumbSync(ctx, inputs.applyPath);
  const c1 = cpuSnapshot(ctx.controlPlane);
  ctx.log(`  kubectl apply --server-side of ${objects} objects`);
  const c1k = cpuSnapshot(ctx.controlPlane);
  const kubectl = await kubectlApplyTree(ctx, inputs.kubectlApply, "apply", true);
  const c2 = cpuSnapshot(ctx.controlPlane);
  return { objects, plumb, kubectl, rounds: [{ plumbMs: plumb.wallMs, kubectlMs: kubectl.totalMs, plumbReady: plumb.allReady }], plumbControlPlaneCpu: cpuDelta(c0, c1), kubectlControlPlaneCpu: cpuDelta(c1k, c2) };
}

/** A further round of case 1 on trees of its own (run after case 2, which re-syncs the first round's tree). */
export async function initialApplyRound(ctx: BenchContext, round: ExtraApplyRound): Promise<ApplyRound> {
  await resetBootstrap(ctx); // a new flux-system Kustomization: nothing of the earlier round is pruned
  await quiet(ctx);
  const plumb = await runPlumbSync(ctx, round.path);
  const kubectl = await kubectlApplyTree(ctx, round.kubectl, round.tag, true);
  return { plumbMs: plumb.wallMs, kubectlMs: kubectl.totalMs, plumbReady: plumb.allReady };
}

export async function noopReconcile(ctx: BenchContext, inputs: Inputs): Promise<NoopResult> {
  const objects = inputs.plumbApply.namespaces.length + 1 + inputs.plumbApply.objects.length;
  const plumb = await runPlumbSync(ctx, inputs.applyPath);
  const kubectl = await kubectlApplyTree(ctx, inputs.kubectlApply, "noop", false);
  return { objects, plumb, kubectl };
}

/** Changes the ConfigMap's key as another tool would (`kubectl patch`: a merge patch, its own field manager). */
export async function makeDrift(ctx: BenchContext, t: DriftTree["target"], value: string): Promise<number> {
  const m = await ctx.kube.mapping("v1", "ConfigMap");
  const res = await ctx.kube.http.request("PATCH", `${resourcePath(m, t.namespace, t.name)}?fieldManager=bench-drifter`, {
    body: { data: { [t.key]: value } }, contentType: "application/merge-patch+json",
  });
  return Number((res.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
}

export async function driftCorrection(ctx: BenchContext, inputs: Inputs): Promise<DriftResult> {
  await resetBootstrap(ctx);
  const t = inputs.drift.target;
  const proc = startPlumbWatch(ctx, inputs.drift.path);
  const watch = new FieldWatch(ctx.kube, { apiVersion: "v1", kind: "ConfigMap", namespace: t.namespace, name: t.name, read: (o) => (o["data"] as Record<string, string> | undefined)?.[t.key] });
  const latenciesMs: number[] = [];
  let timeouts = 0;
  let initialSyncMs: number | undefined;
  try {
    const synced = await proc.waitFor((l) => l["type"] === "synced", 10 * 60_000);
    initialSyncMs = synced["durationMs"] as number;
    await watch.start();
    // Plumbline's watches start asynchronously after the sync: drift until the first correction shows they are up
    let warmed = false;
    for (let attempt = 0; attempt < 20 && !warmed; attempt++) {
      const rv = await makeDrift(ctx, t, `warmup-${attempt}`);
      warmed = !!(await watch.waitFor((s) => s.resourceVersion > rv && s.value === t.desired, 5_000));
    }
    if (!warmed) throw new Error("drift case: Plumbline never corrected the warm-up drift");
    for (let i = 0; i < ctx.profile.driftIterations; i++) {
      const t0 = performance.now();
      const rv = await makeDrift(ctx, t, `drift-${i}`);
      const back = await watch.waitFor((s) => s.resourceVersion > rv && s.value === t.desired, 30_000);
      if (back) latenciesMs.push(back.at - t0);
      else timeouts++;
    }
  } finally {
    watch.stop();
    await proc.stop();
  }
  const exit = proc.lines.find((l) => l["type"] === "exit");
  const synced = proc.lines.find((l) => l["type"] === "synced");
  return {
    iterations: ctx.profile.driftIterations,
    latenciesMs: latenciesMs.map((x) => Math.round(x)),
    timeouts,
    medianMs: median(latenciesMs),
    p95Ms: timeouts ? Infinity : percentile(latenciesMs, 95),
    maxMs: timeouts ? Infinity : percentile(latenciesMs, 100),
    watchWrites: exit && synced ? (exit["writes"] as number) - (synced["writes"] as number) : undefined,
    initialSyncMs,
    maxRssKiB: exit?.["maxRssKiB"] as number | undefined,
  };
}

export async function dependencyChain(ctx: BenchContext, inputs: Inputs): Promise<ChainResult> {
  await resetBootstrap(ctx);
  const plumb = await runPlumbSync(ctx, inputs.chain.rootPath);
  const sumOwnMs = plumb.kustomizations.reduce((a, k) => a + k.durationMs, 0);
  // baseline: what a script does without an engine, one kubectl apply per level in order
  const k = inputs.kubectlChain;
  let kubectlSequentialMs = await kubectlApply(ctx, writeYaml(ctx, "chain-ns.yaml", [k.namespace]));
  for (const [i, level] of k.levels.entries()) kubectlSequentialMs += await kubectlApply(ctx, writeYaml(ctx, `chain-level-${i + 1}.yaml`, level));
  return { levels: inputs.chain.levels.length, plumb, sumOwnMs, overheadMs: plumb.syncMs - sumOwnMs, kubectlSequentialMs };
}

export async function manyKustomizations(ctx: BenchContext, inputs: Inputs): Promise<ManyResult> {
  await resetBootstrap(ctx);
  const plumb = await runPlumbSync(ctx, inputs.many.rootPath);
  const kubectlMs = await kubectlApply(ctx, writeYaml(ctx, "many.yaml", inputs.kubectlMany.objects));
  return { kustomizations: ctx.profile.manyKustomizations, objects: inputs.many.objects.length, plumb, kubectlMs };
}
