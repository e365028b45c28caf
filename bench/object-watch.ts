/** Watches one object's field through the API server and timestamps each change as it arrives. */
import { performance } from "node:perf_hooks";
import type { KubeClient } from "../src/kube/client.ts";

export interface FieldSample {
  resourceVersion: number;
  value: string | undefined;
  /** performance.now() when the event arrived. */
  at: number;
}

export class FieldWatch {
  readonly samples: FieldSample[] = [];
  private readonly ctrl = new AbortController();
  private waiters: { pred: (s: FieldSample) => boolean; resolve: (s: FieldSample) => void }[] = [];
  private readonly kube: KubeClient;
  private readonly target: { apiVersion: string; kind: string; namespace: string; name: string; read: (o: Record<string, unknown>) => string | undefined };

  constructor(kube: KubeClient, target: FieldWatch["target"]) {
    this.kube = kube;
    this.target = target;
  }

  /** Resolves once the watch is established (after the initial list). */
  async start(): Promise<void> {
    const { apiVersion, kind, namespace } = this.target;
    let list = await this.kube.list(apiVersion, kind, { namespace });
    const loop = async (): Promise<void> => {
      while (!this.ctrl.signal.aborted) {
        await this.kube.watch(apiVersion, kind, { namespace, resourceVersion: list.resourceVersion, signal: this.ctrl.signal, timeoutSeconds: 600 }, (e) => {
          if (e.type !== "ADDED" && e.type !== "MODIFIED") return;
          if (e.object.metadata.name !== this.target.name) return;
          const s: FieldSample = { resourceVersion: Number(e.object.metadata.resourceVersion), value: this.target.read(e.object as Record<string, unknown>), at: performance.now() };
          this.samples.push(s);
          this.waiters = this.waiters.filter((w) => (w.pred(s) ? (w.resolve(s), false) : true));
        }).catch((err: unknown) => {
          if (!this.ctrl.signal.aborted) throw err;
        });
        if (!this.ctrl.signal.aborted) list = await this.kube.list(apiVersion, kind, { namespace });
      }
    };
    void loop().catch(() => undefined);
  }

  /** The first sample (seen or future) matching pred, or undefined after timeoutMs. */
  waitFor(pred: (s: FieldSample) => boolean, timeoutMs: number): Promise<FieldSample | undefined> {
    const seen = this.samples.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      const waiter = { pred, resolve: (s: FieldSample) => { clearTimeout(timer); resolve(s); } };
      this.waiters.push(waiter);
    });
  }

  stop(): void {
    this.ctrl.abort();
  }
}
