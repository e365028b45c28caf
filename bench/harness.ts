/** What every case needs: the cluster, the input repository, and timed runs of Plumbline and kubectl. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../src/core/object-ref.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { NamedPid } from "./cpu-usage.ts";
import { KUSTOMIZATION_API_VERSION, DEFAULT_NAMESPACE } from "../src/core/flux-api.ts";
import { toYaml } from "./generate.ts";
import { LineProcess, runChecked, runProcess } from "./processes.ts";
import type { SizeProfile } from "./sizes.ts";

export interface BenchContext {
  profile: SizeProfile;
  kube: KubeClient;
  kubeconfig: string;
  /** The local Git repository holding every case's tree (branch main). */
  repoDir: string;
  /** Private scratch directory: rendered YAML for kubectl, caches, profiles. */
  workDir: string;
  /** Extra node flags for the measured process (e.g. --cpu-prof). */
  nodeFlags: string[];
  /** The local control plane's processes, for CPU accounting. */
  controlPlane: readonly NamedPid[];
  log: (line: string) => void;
}

export interface KustomizationLine {
  name: string;
  namespace: string;
  ready: boolean;
  reason: string;
  message: string;
  changes: Record<string, number>;
  durationMs: number;
}

export interface PlumbRun {
  /** Process wall time: spawn to exit (Node start, module load, sync). */
  wallMs: number;
  /** The engine's own sync duration (in-process). */
  syncMs: number;
  writes: number;
  requests: number;
  maxRssKiB: number;
  /** CPU time (user + system) of the plumb process. */
  cpuMs: number;
  kustomizations: KustomizationLine[];
  allReady: boolean;
  /** Requests by method, resource and query keys (see plumb-child.ts). */
  requestsByKind: Record<string, number>;
  /** Per phase (request category or engine event): [first ms, last ms, count], from the sync's start. */
  timeline: Record<string, [number, number, number]>;
}

const CHILD = join(import.meta.dirname, "plumb-child.ts");

export function childEnv(ctx: BenchContext): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: ctx.kubeconfig, PLUMB_BENCH_TRACE: "1" };
}

export function plumbArgs(ctx: BenchContext, path: string, watch = false): string[] {
  return [...ctx.nodeFlags, CHILD, "--source", ctx.repoDir, "--path", path, "--cache-dir", join(ctx.workDir, "plumb-cache"), ...(watch ? ["--watch"] : [])];
}

function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Runs `plumb sync` for one path in its own process and collects its counters. */
export async function runPlumbSync(ctx: BenchContext, path: string): Promise<PlumbRun> {
  const r = await runProcess(process.execPath, plumbArgs(ctx, path), { env: childEnv(ctx), timeoutMs: 30 * 60_000 });
  const lines = parseLines(r.stdout);
  const synced = lines.find((l) => l["type"] === "synced");
  const exit = lines.find((l) => l["type"] === "exit");
  if (!synced || !exit) {
    const error = lines.find((l) => l["type"] === "error");
    throw new Error(`plumb sync --path ${path}: exit ${r.code}: ${String(error?.["message"] ?? "")}\n${r.stderr.trim().split("\n").slice(-15).join("\n")}`);
  }
  const kustomizations = synced["kustomizations"] as KustomizationLine[];
  return {
    wallMs: r.wallMs,
    syncMs: synced["durationMs"] as number,
    writes: synced["writes"] as number,
    requests: synced["requests"] as number,
    maxRssKiB: exit["maxRssKiB"] as number,
    cpuMs: (exit["cpuMs"] as number | undefined) ?? 0,
    kustomizations,
    allReady: kustomizations.length > 0 && kustomizations.every((k) => k.ready),
    requestsByKind: (exit["requestsByKind"] as Record<string, number> | undefined) ?? {},
    timeline: (synced["timeline"] as Record<string, [number, number, number]> | undefined) ?? {},
  };
}

export function startPlumbWatch(ctx: BenchContext, path: string): LineProcess {
  return new LineProcess(process.execPath, plumbArgs(ctx, path, true), { env: childEnv(ctx) });
}

function kubectlArgs(ctx: BenchContext, args: string[]): string[] {
  return [`--kubeconfig=${ctx.kubeconfig}`, `--cache-dir=${join(ctx.workDir, "kubectl-cache")}`, ...args];
}

export function writeYaml(ctx: BenchContext, name: string, docs: readonly KubeObject[]): string {
  const file = join(ctx.workDir, name);
  writeFileSync(file, toYaml(docs));
  return file;
}

/** `kubectl apply --server-side -f file`; returns its wall time. */
export async function kubectlApply(ctx: BenchContext, file: string): Promise<number> {
  const r = await runChecked("kubectl", kubectlArgs(ctx, ["apply", "--server-side", "--field-manager=bench-kubectl", "-f", file]), { timeoutMs: 30 * 60_000 });
  return r.wallMs;
}

export async function kubectlWaitEstablished(ctx: BenchContext, crdName: string): Promise<number> {
  const r = await runChecked("kubectl", kubectlArgs(ctx, ["wait", "--for=condition=established", "--timeout=120s", `crd/${crdName}`]));
  return r.wallMs;
}

export async function kubectlClientVersion(): Promise<string> {
  const r = await runProcess("kubectl", ["version", "--client", "-o", "json"]);
  try {
    return (JSON.parse(r.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Every case bootstraps the same Kustomization flux-system/flux-system (prune: true) for a different path.
 * Deleting it between cases keeps a case from pruning the previous case's objects inside its measurement.
 */
export async function resetBootstrap(ctx: BenchContext): Promise<void> {
  const crd = await ctx.kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", undefined, "kustomizations.kustomize.toolkit.fluxcd.io");
  if (crd) await ctx.kube.delete(KUSTOMIZATION_API_VERSION, "Kustomization", DEFAULT_NAMESPACE, "flux-system");
}
