/**
 * One-shot sync, as `flux bootstrap` starts: a GitRepository and a Kustomization `flux-system` for the given
 * source and path, then every Kustomization found in the output, recursively, in dependsOn order, to convergence.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeClient } from "../kube/client.ts";
import { patchStatus } from "../apply/status-writer.ts";
import { createIfMissing, ensureCrds, ensureSourceSpec } from "../apply/ensure-object.ts";
import type { LiveCache } from "../apply/live-cache.ts";
import type { GitRepositoryRef, GitRepositorySpec, KustomizationStatus } from "../core/api-types.ts";
import { setCondition } from "../core/conditions.ts";
import type { EventSink } from "../core/events.ts";
import { DEFAULT_NAMESPACE, GIT_REPOSITORY_API_VERSION, KUSTOMIZATION_API_VERSION, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";
import type { Decryptor } from "../render/decryptor.ts";
import { fluxCrds } from "./flux-crds.ts";
import { reconcileKustomization, type KustomizationResult } from "./reconcile-kustomization.ts";
import { Scheduler } from "./scheduler.ts";
import { SourceResolver } from "./source-resolver.ts";
import { bootstrapUrlRefusal } from "../source/git-url-credentials.ts";

export interface SyncOptions {
  kube: KubeClient;
  url: string;
  ref: GitRepositoryRef;
  path: string;
  /** Name of a Secret in flux-system holding Git credentials (Flux's format). */
  secretRef?: string;
  cacheDir: string;
  events: EventSink;
  makeDecryptor?: (keys: { source: string; text: string }[]) => Decryptor;
  allowEmpty?: boolean;
  interval?: string;
  /** Namespace of the bootstrap GitRepository and Kustomization (default flux-system). */
  namespace?: string;
  /**
   * The process ends after this sync (no watch mode follows): created objects are not read again unless a
   * Kustomization waits for health, so their creates ask for metadata only. Watch mode needs them whole, as
   * the baseline its watches compare against.
   */
  oneShot?: boolean;
  /** Aborted on shutdown (SIGTERM, SIGINT): no reconcile starts, the running ones write no more and record their status. */
  signal?: AbortSignal;
}

export interface SyncReport {
  kustomizations: KustomizationResult[];
  writes: number;
  durationMs: number;
}

/** State kept across reconciles in one process (watch mode reuses it). */
export interface EngineState {
  sources: SourceResolver;
  liveCaches: Map<string, LiveCache>;
  renderCache: Map<string, KubeObject[]>;
  renderCacheDir: string;
}

export function newEngineState(kube: KubeClient, cacheDir: string, events: EventSink): EngineState {
  mkdirSync(cacheDir, { recursive: true });
  return { sources: new SourceResolver(kube, join(cacheDir, "git"), events), liveCaches: new Map(), renderCache: new Map(), renderCacheDir: join(cacheDir, "render") };
}

export async function installCrds(kube: KubeClient): Promise<void> {
  await ensureCrds(kube, fluxCrds());
}

/**
 * The objects `flux bootstrap` would have put in place. They carry the labels the root Kustomization's render gives
 * them, so the first apply of the same objects from Git finds them already ours (no takeover of a
 * `before-first-apply` entry on the next run, no false drift on labels).
 */
export function bootstrapObjects(o: Pick<SyncOptions, "url" | "ref" | "path" | "secretRef" | "interval" | "namespace">): { namespace: KubeObject; source: KubeObject; kustomization: KubeObject } {
  const ns = o.namespace ?? DEFAULT_NAMESPACE;
  const labels = { [OWNER_NAME_LABEL]: "flux-system", [OWNER_NAMESPACE_LABEL]: ns };
  const sourceSpec: GitRepositorySpec = { url: o.url, ref: o.ref, interval: o.interval ?? "1m0s", ...(o.secretRef ? { secretRef: { name: o.secretRef } } : {}) };
  return {
    namespace: { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } },
    source: { apiVersion: GIT_REPOSITORY_API_VERSION, kind: "GitRepository", metadata: { name: "flux-system", namespace: ns, labels }, spec: sourceSpec },
    kustomization: {
      apiVersion: KUSTOMIZATION_API_VERSION, kind: "Kustomization", metadata: { name: "flux-system", namespace: ns, labels },
      spec: { interval: "10m0s", path: bootstrapPath(o.path), prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } },
    },
  };
}

/** Paths as `flux bootstrap` writes them into gotk-sync.yaml: `./clusters/production`. */
export function bootstrapPath(path: string): string {
  const p = path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  return p === "" || p === "." ? "./" : `./${p}`;
}

/** The CLI's --source is the truth for the bootstrap source: the copy in Git (often a placeholder URL) does not override it. */
export function bootstrapTransform(source: KubeObject): (obj: KubeObject) => KubeObject {
  return (obj) => {
    if (obj.kind === "GitRepository" && obj.metadata.name === source.metadata.name && obj.metadata.namespace === source.metadata.namespace) {
      return { ...obj, spec: { ...(obj["spec"] as object), ...(source["spec"] as object) } };
    }
    return obj;
  };
}

export async function sync(opts: SyncOptions, state?: EngineState): Promise<SyncReport> {
  const t0 = Date.now();
  const { kube } = opts;
  const writes0 = kube.http.writes;
  const st = state ?? newEngineState(kube, opts.cacheDir, opts.events);
  st.sources.refresh(); // a new run fetches every source again
  const refusal = bootstrapUrlRefusal(opts.url);
  if (refusal) throw new Error(refusal);
  const boot = bootstrapObjects(opts);
  // the source's fetch does not need the cluster: it runs while the CRDs and bootstrap objects are put in place
  void st.sources.prefetch(boot.source.metadata.namespace ?? DEFAULT_NAMESPACE, "flux-system", boot.source["spec"] as GitRepositorySpec);
  await installCrds(kube);
  await createIfMissing(kube, boot.namespace);
  await ensureSourceSpec(kube, boot.source);
  await createIfMissing(kube, boot.kustomization);
  const report = await runTree(opts, st, bootstrapTransform(boot.source));
  return { kustomizations: report, writes: kube.http.writes - writes0, durationMs: Date.now() - t0 };
}

export async function runTree(opts: SyncOptions, st: EngineState, transform: (o: KubeObject) => KubeObject): Promise<KustomizationResult[]> {
  const { kube } = opts;
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  const root = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "flux-system");
  if (!root) throw new Error(`Kustomization ${ns}/flux-system not found after bootstrap`);
  const deps = {
    kube, sources: st.sources, events: opts.events, liveCaches: st.liveCaches, renderCache: st.renderCache, renderCacheDir: st.renderCacheDir, transform,
    ...(opts.makeDecryptor ? { makeDecryptor: opts.makeDecryptor } : {}), ...(opts.allowEmpty ? { allowEmpty: true } : {}),
    ...(opts.oneShot ? { briefCreates: true } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const scheduler = new Scheduler(
    async (ks) => {
      // read the freshest object (status holds the previous inventory)
      const fresh = (await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ks.metadata.namespace, ks.metadata.name ?? "")) ?? ks;
      return reconcileKustomization(fresh, deps);
    },
    async (ks, r) => {
      const prev = ((await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ks.metadata.namespace, ks.metadata.name ?? "").catch(() => undefined))?.["status"] ?? {}) as KustomizationStatus;
      const conditions = setCondition(prev.conditions ?? [], { type: "Ready", status: "False", reason: r.reason, message: r.message }, new Date());
      // after a shutdown signal a dependency "not ready" was only not started: the dependent's status stays as it is
      if (!opts.signal?.aborted && JSON.stringify(conditions) !== JSON.stringify(prev.conditions ?? [])) {
        await patchStatus(kube, { apiVersion: KUSTOMIZATION_API_VERSION, kind: "Kustomization", namespace: ks.metadata.namespace ?? "default", name: ks.metadata.name ?? "" }, { conditions }).catch(() => undefined);
      }
      opts.events({ type: "kustomization.done", kustomization: `${ks.metadata.namespace}/${ks.metadata.name}`, ready: false, reason: r.reason, message: r.message });
    },
  );
  scheduler.add(root);
  return scheduler.runAll();
}
