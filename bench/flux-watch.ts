/** Follows Flux's Kustomizations in one namespace through a watch, so a case awaits "all Ready" without polling. */
import type { KubeObject } from "../src/core/object-ref.ts";
import type { KubeClient } from "../src/kube/client.ts";

const API = "kustomize.toolkit.fluxcd.io/v1";

interface Condition { type: string; status: string; reason?: string; message?: string }

/** Ready=True for the current generation. Pure. */
export function fluxReady(o: KubeObject): boolean {
  const status = (o as { status?: { observedGeneration?: number; conditions?: Condition[] } }).status;
  const ready = status?.conditions?.find((c) => c.type === "Ready");
  return ready?.status === "True" && status?.observedGeneration === o.metadata.generation;
}

/** The request token Flux handled last (status.lastHandledReconcileAt). Pure. */
export function handledAt(o: KubeObject): string | undefined {
  return (o as { status?: { lastHandledReconcileAt?: string } }).status?.lastHandledReconcileAt;
}

/** "name: Reason message" of the Ready condition, for errors. Pure. */
export function readyText(o: KubeObject | undefined): string {
  const c = (o as { status?: { conditions?: Condition[] } } | undefined)?.status?.conditions?.find((x) => x.type === "Ready");
  return `${o?.metadata.name ?? "?"}: ${c ? `${c.status} ${c.reason ?? ""} ${c.message ?? ""}`.trim() : "no Ready condition"}`;
}

export class KustomizationWatch {
  readonly objects = new Map<string, KubeObject>();
  private readonly ctrl = new AbortController();
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly kube: KubeClient;
  private readonly namespace: string;

  constructor(kube: KubeClient, namespace: string) {
    this.kube = kube;
    this.namespace = namespace;
  }

  async start(): Promise<void> {
    let list = await this.kube.list(API, "Kustomization", { namespace: this.namespace });
    for (const o of list.items) this.objects.set(o.metadata.name ?? "", o);
    const loop = async (): Promise<void> => {
      while (!this.ctrl.signal.aborted) {
        await this.kube.watch(API, "Kustomization", { namespace: this.namespace, resourceVersion: list.resourceVersion, signal: this.ctrl.signal, timeoutSeconds: 600 }, (e) => {
          const name = e.object.metadata.name ?? "";
          if (e.type === "DELETED") this.objects.delete(name);
          else if (e.type === "ADDED" || e.type === "MODIFIED") this.objects.set(name, e.object);
          else return;
          this.waiters = this.waiters.filter((w) => (w.check() ? (w.resolve(), false) : true));
        }).catch((err: unknown) => {
          if (!this.ctrl.signal.aborted) throw err;
        });
        if (!this.ctrl.signal.aborted) {
          list = await this.kube.list(API, "Kustomization", { namespace: this.namespace });
          for (const o of list.items) this.objects.set(o.metadata.name ?? "", o);
        }
      }
    };
    void loop().catch(() => undefined);
  }

  /** Resolves when `pred` holds for every name; rejects after timeoutMs naming the first that does not. */
  waitAll(names: readonly string[], pred: (o: KubeObject) => boolean, timeoutMs: number): Promise<void> {
    const check = (): boolean => names.every((n) => { const o = this.objects.get(n); return o !== undefined && pred(o); });
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { check, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const stuck = names.filter((n) => { const o = this.objects.get(n); return !o || !pred(o); });
        reject(new Error(`${stuck.length} of ${names.length} Flux Kustomizations not there within ${Math.round(timeoutMs / 1000)} s; ${readyText(this.objects.get(stuck[0] ?? ""))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  stop(): void {
    this.ctrl.abort();
  }
}
