/**
 * Watch mode: each source is polled at its own spec.interval, and every managed object is watched (one watch per
 * kind and Kustomization, filtered by owner labels) so a manual change is corrected within seconds, not at the next
 * interval.
 */
import { errorMessage } from "../core/errors.ts";
import type { EventSink } from "../core/events.ts";
import { GIT_REPOSITORY_API_VERSION, KUSTOMIZATION_API_VERSION, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, REQUESTED_AT_ANNOTATION } from "../core/flux-api.ts";
import { refOf, type KubeObject } from "../core/object-ref.ts";
import type { LiveCache } from "../apply/live-cache.ts";
import { isDesiredStateChange } from "../plan/watched-change.ts";
import { reconcileKustomization, type KustomizationResult } from "./reconcile-kustomization.ts";
import { dueSources, nextWake } from "./poll-schedule.ts";
import { bootstrapTransform, runTree, type EngineState, type SyncOptions } from "./sync.ts";

export interface WatchReport {
  kustomizations: KustomizationResult[];
  /**
   * "interval": a source poll (new revision or not); "drift": a watched object changed or was deleted;
   * "requested": a `reconcile.fluxcd.io/requestedAt` annotation on a Kustomization or GitRepository (`flux reconcile`).
   */
  trigger: "interval" | "drift" | "requested";
}

const COALESCE_MS = 20;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Runs list+watch rounds until aborted; a failed round is logged as a warning and retried with exponential backoff. */
async function retryRounds(signal: AbortSignal, what: string, events: EventSink, round: () => Promise<void>): Promise<void> {
  let backoff = BACKOFF_MIN_MS;
  while (!signal.aborted) {
    try {
      await round();
      backoff = BACKOFF_MIN_MS;
    } catch (err) {
      if (signal.aborted) return;
      events({ type: "log", level: "warn", message: `${what} failed, retrying in ${backoff} ms: ${errorMessage(err)}` });
      await delay(backoff, signal);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }
}

export async function watchTree(opts: SyncOptions, st: EngineState, bootstrapSource: KubeObject, signal: AbortSignal, onReconciled: (r: WatchReport) => void): Promise<void> {
  const { kube } = opts;
  const transform = bootstrapTransform(bootstrapSource);
  const watches = new Map<string, AbortController>(); // "ksId|apiVersion/kind"
  const pending = new Map<string, NodeJS.Timeout>();
  let busy: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = busy.then(fn, fn);
    busy = p.catch(() => undefined);
    return p;
  };
  const logError = (err: unknown): void => opts.events({ type: "log", level: "error", message: errorMessage(err) });
  const deps = { kube, sources: st.sources, events: opts.events, liveCaches: st.liveCaches, renderCache: st.renderCache, renderCacheDir: st.renderCacheDir, transform, ...(opts.makeDecryptor ? { makeDecryptor: opts.makeDecryptor } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };

  const reconcileOne = (ksId: string, trigger: WatchReport["trigger"] = "drift"): void => {
    if (pending.has(ksId) || signal.aborted) return;
    // coalesce a burst of events into one reconcile
    pending.set(ksId, setTimeout(() => {
      pending.delete(ksId);
      void serial(async () => {
        const [ns, name] = ksId.split("/") as [string, string];
        const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, name);
        if (!ks || signal.aborted) return;
        const r = await reconcileKustomization(ks, deps);
        onReconciled({ kustomizations: [r], trigger });
      }).catch(logError);
    }, COALESCE_MS));
  };

  /** One kind of one Kustomization's objects: list, then watch from there; relist after a disconnect, with backoff on errors. */
  const watchKind = async (ksId: string, cache: LiveCache, apiVersion: string, kind: string, ctrl: AbortController): Promise<void> => {
    const [ns, name] = ksId.split("/") as [string, string];
    const selector = `${OWNER_NAME_LABEL}=${name},${OWNER_NAMESPACE_LABEL}=${ns}`;
    await retryRounds(ctrl.signal, `watch of ${kind} for Kustomization ${ksId}`, opts.events, async () => {
      const list = await kube.list(apiVersion, kind, { labelSelector: selector });
      // changes made before this (re)list, e.g. while the watch reconnected
      const listed = new Set(list.items.map((o) => inventoryKey(o)));
      let drifted = false;
      for (const o of list.items) {
        const known = cache.get(refOf(o));
        if (!known || known.metadata.resourceVersion === o.metadata.resourceVersion) continue;
        drifted ||= isDesiredStateChange(known, o);
        cache.putWatched(o);
      }
      for (const o of cache.objectsOf(apiVersion, kind).filter((c) => !listed.has(inventoryKey(c)))) {
        cache.remove(refOf(o));
        drifted = true;
      }
      if (drifted) reconcileOne(ksId);
      await kube.watch(apiVersion, kind, { labelSelector: selector, resourceVersion: list.resourceVersion, signal: ctrl.signal, timeoutSeconds: 300 }, (e) => {
        if (e.type === "BOOKMARK" || e.type === "ERROR") return;
        const known = cache.get(refOf(e.object));
        if (e.type === "DELETED") {
          cache.remove(refOf(e.object));
          reconcileOne(ksId);
        } else if (known && known.metadata.resourceVersion !== e.object.metadata.resourceVersion) {
          cache.putWatched(e.object); // status-only updates keep the cache fresh for health checks without a reconcile
          if (isDesiredStateChange(known, e.object)) reconcileOne(ksId);
        }
      });
    });
  };

  const ensureWatches = (): void => {
    for (const [ksId, cache] of st.liveCaches) {
      cache.fedByWatch = true;
      for (const k of cache.kinds()) {
        const key = `${ksId}|${k.apiVersion}/${k.kind}`;
        if (watches.has(key)) continue;
        const ctrl = new AbortController();
        signal.addEventListener("abort", () => ctrl.abort(), { once: true });
        watches.set(key, ctrl);
        void watchKind(ksId, cache, k.apiVersion, k.kind, ctrl);
      }
    }
  };

  const due = new Map<string, number>(); // source "namespace/name" -> next poll (epoch ms)
  let wakeNow: AbortController | undefined;
  let requested = false;

  /** `flux reconcile`-style requests: an annotation value the object's status has not handled yet. */
  const watchRequests = async (apiVersion: string, kind: string, onRequest: (id: string) => void): Promise<void> => {
    const pendingRequest = (o: KubeObject): boolean => {
      const at = o.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
      return at !== undefined && at !== (o["status"] as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt;
    };
    await retryRounds(signal, `watch of ${kind} objects for reconcile requests`, opts.events, async () => {
      const list = await kube.list(apiVersion, kind);
      for (const o of list.items) if (pendingRequest(o)) onRequest(`${o.metadata.namespace}/${o.metadata.name}`);
      await kube.watch(apiVersion, kind, { resourceVersion: list.resourceVersion, signal, timeoutSeconds: 300 }, (e) => {
        if ((e.type === "ADDED" || e.type === "MODIFIED") && pendingRequest(e.object)) onRequest(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
      });
    });
  };
  void watchRequests(KUSTOMIZATION_API_VERSION, "Kustomization", (id) => {
    if (st.liveCaches.has(id)) reconcileOne(id, "requested");
  });
  void watchRequests(GIT_REPOSITORY_API_VERSION, "GitRepository", (id) => {
    if (!st.sources.known().some((s) => s.key === id)) return;
    due.set(id, Date.now()); // poll it now
    requested = true;
    wakeNow?.abort();
  });

  ensureWatches();
  while (!signal.aborted) {
    wakeNow = new AbortController();
    const stopWaiting = AbortSignal.any([signal, wakeNow.signal]);
    if (!requested) await delay(Math.max(0, nextWake(st.sources.known(), due, Date.now()) - Date.now()), stopWaiting);
    if (signal.aborted) break;
    const trigger: WatchReport["trigger"] = requested ? "requested" : "interval";
    requested = false;
    const polled = dueSources(st.sources.known(), due, Date.now());
    st.sources.refresh(polled.map((s) => s.key));
    const results = await serial(() => runTree(opts, st, transform)).catch((err: unknown) => {
      logError(err);
      return [] as KustomizationResult[];
    });
    for (const s of polled) due.set(s.key, Date.now() + s.intervalMs);
    if (results.length) onReconciled({ kustomizations: results, trigger });
    ensureWatches();
  }
  for (const t of pending.values()) clearTimeout(t);
  for (const c of watches.values()) c.abort();
  await busy;
}

function inventoryKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}
