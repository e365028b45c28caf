/**
 * Watch mode: sources are polled at their interval, and every managed object is watched (one watch per kind,
 * filtered by owner labels) so a manual change is corrected within seconds, not at the next interval.
 */
import type { EngineEvent } from "../core/events.ts";
import { OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, KUSTOMIZATION_API_VERSION } from "../core/flux-api.ts";
import { refOf, type KubeObject } from "../core/object-ref.ts";
import { parseGoDuration } from "../source/index.ts";
import { reconcileKustomization, type KustomizationResult } from "./reconcile-kustomization.ts";
import { bootstrapTransform, runTree, type EngineState, type SyncOptions } from "./sync.ts";

export interface WatchReport {
  kustomizations: KustomizationResult[];
  trigger: "interval" | "drift";
}

export async function watchTree(opts: SyncOptions, st: EngineState, bootstrapSource: KubeObject, signal: AbortSignal, onReconciled: (r: WatchReport) => void): Promise<void> {
  const { kube } = opts;
  const transform = bootstrapTransform(bootstrapSource);
  const intervalMs = parseGoDuration(opts.interval ?? "1m");
  const watches = new Map<string, AbortController>(); // "ksId|apiVersion/kind"
  const pending = new Map<string, NodeJS.Timeout>();
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = busy.then(fn, fn);
    busy = p.catch(() => undefined);
    return p;
  };
  const deps = { kube, sources: st.sources, events: opts.events, liveCaches: st.liveCaches, renderCache: st.renderCache, transform, ...(opts.makeDecryptor ? { makeDecryptor: opts.makeDecryptor } : {}) };

  const reconcileOne = (ksId: string): void => {
    if (pending.has(ksId) || signal.aborted) return;
    // coalesce a burst of events into one reconcile
    pending.set(ksId, setTimeout(() => {
      pending.delete(ksId);
      void serial(async () => {
        const [ns, name] = ksId.split("/") as [string, string];
        const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, name);
        if (!ks || signal.aborted) return;
        const r = await reconcileKustomization(ks, deps);
        onReconciled({ kustomizations: [r], trigger: "drift" });
      }).catch((err: unknown) => opts.events({ type: "log", level: "error", message: String(err) }));
    }, 20));
  };

  const ensureWatches = (): void => {
    for (const [ksId, cache] of st.liveCaches) {
      const [ns, name] = ksId.split("/") as [string, string];
      cache.fedByWatch = true;
      for (const k of cache.kinds()) {
        const key = `${ksId}|${k.apiVersion}/${k.kind}`;
        if (watches.has(key)) continue;
        const ctrl = new AbortController();
        signal.addEventListener("abort", () => ctrl.abort(), { once: true });
        watches.set(key, ctrl);
        const selector = `${OWNER_NAME_LABEL}=${name},${OWNER_NAMESPACE_LABEL}=${ns}`;
        const loop = async (): Promise<void> => {
          while (!ctrl.signal.aborted) {
            const list = await kube.list(k.apiVersion, k.kind, { labelSelector: selector });
            // changes made before this (re)list, e.g. while the watch reconnected
            const stale = list.items.filter((o) => {
              const known = cache.get(refOf(o));
              return known !== undefined && known.metadata.resourceVersion !== o.metadata.resourceVersion;
            });
            for (const o of stale) cache.put(o);
            if (stale.length) reconcileOne(ksId);
            await kube.watch(k.apiVersion, k.kind, { labelSelector: selector, resourceVersion: list.resourceVersion, signal: ctrl.signal, timeoutSeconds: 300 }, (e) => {
              if (e.type === "BOOKMARK" || e.type === "ERROR") return;
              const known = cache.get(refOf(e.object));
              if (e.type === "DELETED") {
                cache.remove(refOf(e.object));
                reconcileOne(ksId);
              } else if (known && known.metadata.resourceVersion !== e.object.metadata.resourceVersion) {
                cache.put(e.object);
                reconcileOne(ksId);
              }
            });
          }
        };
        loop().catch(() => watches.delete(key));
      }
    }
  };

  ensureWatches();
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      signal.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal.aborted) break;
    st.sources.refresh();
    const results = await serial(() => runTree(opts, st, transform)).catch((err: unknown) => {
      opts.events({ type: "log", level: "error", message: String(err) } satisfies EngineEvent);
      return [] as KustomizationResult[];
    });
    if (results.length) onReconciled({ kustomizations: results, trigger: "interval" });
    ensureWatches();
  }
  for (const t of pending.values()) clearTimeout(t);
  for (const c of watches.values()) c.abort();
}
