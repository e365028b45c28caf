/**
 * Runs a tree of Kustomizations in dependsOn order. A Kustomization starts the moment its dependencies are
 * Ready (no polling); independent branches run in parallel; children found in a Kustomization's output join
 * the graph as they appear. Cycles and missing dependencies fail the Kustomizations involved, by name.
 */
import type { DependencyReference, KustomizationSpec } from "../core/api-types.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { describeCycle, findCycle, type GraphNode } from "../plan/dependency-graph.ts";
import type { KustomizationResult } from "./reconcile-kustomization.ts";

type Run = (ks: KubeObject) => Promise<KustomizationResult>;

interface Node {
  id: string;
  ks: KubeObject;
  deps: string[];
  state: "pending" | "running" | "done";
  result?: KustomizationResult;
}

function idOf(ks: KubeObject): string {
  return `${ks.metadata.namespace ?? "default"}/${ks.metadata.name ?? ""}`;
}

function depIds(ks: KubeObject): string[] {
  const spec = ks["spec"] as KustomizationSpec;
  return (spec.dependsOn ?? []).map((d: DependencyReference) => `${d.namespace ?? ks.metadata.namespace ?? "default"}/${d.name}`);
}

function failed(ks: KubeObject, message: string): KustomizationResult {
  return { name: ks.metadata.name ?? "", namespace: ks.metadata.namespace ?? "default", revision: "", ready: false, reason: "DependencyNotReady", message, changes: { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 }, durationMs: 0, children: [], drift: [] };
}

export class Scheduler {
  private readonly nodes = new Map<string, Node>();
  private readonly run: Run;
  private running = 0;
  private resolveAll: (() => void) | undefined;
  private readonly onFail: (ks: KubeObject, result: KustomizationResult) => Promise<void>;
  /** Failure handlers started (status writes of Kustomizations that never ran): runAll returns after them. */
  private readonly failing: Promise<void>[] = [];

  constructor(run: Run, onFail: (ks: KubeObject, result: KustomizationResult) => Promise<void> = async () => {}) {
    this.run = run;
    this.onFail = onFail;
  }

  add(ks: KubeObject): void {
    const id = idOf(ks);
    const existing = this.nodes.get(id);
    if (existing && existing.state !== "pending") return;
    this.nodes.set(id, { id, ks, deps: depIds(ks), state: "pending" });
  }

  results(): KustomizationResult[] {
    return [...this.nodes.values()].filter((n) => n.result).map((n) => n.result as KustomizationResult);
  }

  async runAll(): Promise<KustomizationResult[]> {
    await new Promise<void>((resolve) => {
      this.resolveAll = resolve;
      this.pump();
    });
    await Promise.all(this.failing);
    return this.results();
  }

  /** A node that never runs: its failure handler (status, Events) is awaited by runAll; its own failure is reported, not lost. */
  private fail(ks: KubeObject, r: KustomizationResult): void {
    this.failing.push(this.onFail(ks, r).catch((err: unknown) => {
      r.message += ` (its status could not be written: ${err instanceof Error ? err.message : String(err)})`;
    }));
  }

  private finishNode(n: Node, result: KustomizationResult): void {
    n.state = "done";
    n.result = result;
  }

  private pump(): void {
    // cycles among pending nodes
    const graph: GraphNode[] = [...this.nodes.values()].map((n) => ({ id: n.id, dependsOn: n.deps }));
    for (let cycle = findCycle(graph); cycle; cycle = findCycle(graph)) {
      const msg = describeCycle(cycle);
      for (const id of new Set(cycle)) {
        const n = this.nodes.get(id);
        if (n && n.state === "pending") {
          const r = failed(n.ks, msg);
          this.finishNode(n, r);
          this.fail(n.ks, r);
        }
        const gi = graph.findIndex((g) => g.id === id);
        if (gi >= 0) graph.splice(gi, 1);
      }
    }
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const n of this.nodes.values()) {
        if (n.state !== "pending") continue;
        const deps = n.deps.map((d) => this.nodes.get(d));
        const failedDep = n.deps.find((d) => { const x = this.nodes.get(d); return x?.state === "done" && !x.result?.ready; });
        if (failedDep) {
          const r = failed(n.ks, `dependency '${failedDep}' is not ready`);
          this.finishNode(n, r);
          this.fail(n.ks, r);
          progressed = true;
          continue;
        }
        if (deps.every((d) => d?.state === "done" && d.result?.ready)) {
          n.state = "running";
          this.running++;
          this.run(n.ks).then(
            (r) => this.complete(n, r),
            (err: unknown) => {
              // the run failed before its reconcile could record it (reading the Kustomization): the failure handler writes the status
              const r: KustomizationResult = { ...failed(n.ks, String(err instanceof Error ? err.message : err)), reason: "ReconciliationFailed" };
              this.fail(n.ks, r);
              this.complete(n, r);
            },
          );
        }
      }
    }
    if (this.running === 0) {
      // nothing can start: whatever is pending waits on dependencies that do not exist
      for (const n of this.nodes.values()) {
        if (n.state !== "pending") continue;
        const missing = n.deps.filter((d) => !this.nodes.has(d));
        const r = failed(n.ks, missing.length ? `dependency ${missing.map((m) => `Kustomization '${m}'`).join(", ")} not found` : "dependencies not ready");
        this.finishNode(n, r);
        this.fail(n.ks, r);
      }
      this.resolveAll?.();
    }
  }

  private complete(n: Node, r: KustomizationResult): void {
    this.running--;
    this.finishNode(n, r);
    for (const child of r.children) this.add(child);
    this.pump();
  }
}
