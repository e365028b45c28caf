/**
 * Reconciles one Kustomization: source -> render -> staged apply -> prune -> health -> status.
 * Never deletes anything when the source, the render or the apply failed, or when a render is
 * unexpectedly empty.
 */
import type { KubeClient } from "../kube/client.ts";
import { applyObjects, pruneObjects, type ObjectChange } from "../apply/applier.ts";
import { LiveCache } from "../apply/live-cache.ts";
import { patchStatus, recordEvent } from "../apply/status-writer.ts";
import type { KustomizationSpec, KustomizationStatus } from "../core/api-types.ts";
import { ApplyError, errorMessage, PlumbError } from "../core/errors.ts";
import type { ChangeAction, EventSink } from "../core/events.ts";
import { KUSTOMIZATION_API_VERSION, KUSTOMIZE_GROUP, REQUESTED_AT_ANNOTATION, type ConditionReason } from "../core/flux-api.ts";
import { staleItems, toInventory, fromInventory, readInventory, unionItems, type Inventory, type InventoryItem } from "../core/inventory.ts";
import { describeRef, versionOf, type KubeObject } from "../core/object-ref.ts";
import { render } from "../render/render.ts";
import type { Decryptor } from "../render/decryptor.ts";
import { parseGoDuration } from "../source/index.ts";
import { waitHealthy, type HealthTarget } from "./health-wait.ts";
import { readAgeKeyTexts, readVariables } from "./kustomization-inputs.ts";
import { nextStatus, sameStatus } from "./kustomization-status.ts";
import { describeWriter } from "../plan/drift.ts";
import type { SourceResolver } from "./source-resolver.ts";
import { moveUrlCredentials } from "../source/git-url-credentials.ts";

export const ALLOW_EMPTY_ANNOTATION = "plumbline.dev/allow-empty";

export type Counts = Record<ChangeAction, number>;

export interface KustomizationResult {
  name: string;
  namespace: string;
  revision: string;
  ready: boolean;
  reason: ConditionReason;
  message: string;
  changes: Counts;
  durationMs: number;
  /** Kustomization objects this one applied (children to reconcile next). */
  children: KubeObject[];
  drift: ObjectChange[];
}

export interface ReconcileDeps {
  kube: KubeClient;
  sources: SourceResolver;
  events: EventSink;
  liveCaches: Map<string, LiveCache>;
  renderCache: Map<string, KubeObject[]>;
  /** Directory of the on-disk render cache (kustomize output of renders without decryption). */
  renderCacheDir?: string;
  makeDecryptor?: (keys: { source: string; text: string }[]) => Decryptor;
  /** Transforms applied to rendered objects before apply (the CLI's bootstrap source override). */
  transform?: (obj: KubeObject) => KubeObject;
  allowEmpty?: boolean;
  /** Nothing reads created objects after this run (a one-shot sync): creates may answer with metadata only. */
  briefCreates?: boolean;
  /** Aborted on shutdown: a reconcile not yet started does not start; one running writes no more and records its status. */
  signal?: AbortSignal;
}

function emptyCounts(): Counts {
  return { created: 0, configured: 0, unchanged: 0, deleted: 0, skipped: 0 };
}

type Finish = (ready: boolean, reason: ConditionReason, message: string) => Promise<KustomizationResult>;

/**
 * Reconciles one Kustomization. Every failure ends in its status, its Events and the result, with its reason: one
 * the steps do not catch themselves (a bug, an unexpected answer) as Flux's `ReconciliationFailed` (or the reason a
 * PlumbError carries), never as an exception that leaves the status saying Ready.
 */
export async function reconcileKustomization(ks: KubeObject, deps: ReconcileDeps): Promise<KustomizationResult> {
  if (deps.signal?.aborted) {
    // never started: nothing written, status left as it is
    return { name: ks.metadata.name ?? "", namespace: ks.metadata.namespace ?? "default", revision: "", ready: false, reason: "ReconciliationFailed", message: `not started: ${errorMessage(deps.signal.reason)}`, changes: emptyCounts(), durationMs: 0, children: [], drift: [] };
  }
  const failSafe: { finish?: Finish } = {};
  try {
    return await reconcileSteps(ks, deps, failSafe);
  } catch (err) {
    if (!failSafe.finish) throw err;
    return failSafe.finish(false, err instanceof PlumbError ? err.reason : "ReconciliationFailed", errorMessage(err));
  }
}

async function reconcileSteps(ks: KubeObject, deps: ReconcileDeps, failSafe: { finish?: Finish }): Promise<KustomizationResult> {
  const t0 = Date.now();
  const name = ks.metadata.name ?? "";
  const namespace = ks.metadata.namespace ?? "default";
  const spec = ks["spec"] as KustomizationSpec;
  const prev = (ks["status"] ?? {}) as KustomizationStatus;
  const id = `${namespace}/${name}`;
  const owner = { name, namespace };
  const counts = emptyCounts();
  let revision = "";
  let inventory: Inventory | undefined;
  let children: KubeObject[] = [];
  const drift: ObjectChange[] = [];
  let healthChecked = false;
  /** status.inventory as last written during this reconcile (the objects about to be written, recorded before their writes). */
  let recorded: Inventory | undefined;
  deps.events({ type: "kustomization.started", kustomization: id });

  const finish: Finish = async (ready, reason, message) => {
    const durationMs = Date.now() - t0;
    const changed = counts.created + counts.configured + counts.deleted > 0;
    const status = nextStatus(prev, { ready, reason, message, revision: revision || undefined, inventory, healthChecked, changed, durationMs, generation: ks.metadata.generation, requestedAt: ks.metadata.annotations?.[REQUESTED_AT_ANNOTATION] }, new Date());
    if (!sameStatus(recorded ? { ...prev, inventory: recorded } : prev, status)) {
      await patchStatus(deps.kube, { apiVersion: KUSTOMIZATION_API_VERSION, kind: "Kustomization", namespace, name }, status as Record<string, unknown>).catch(() => undefined);
    }
    if (!ready) await recordEvent(deps.kube, ks, "Warning", reason, message);
    else if (changed) await recordEvent(deps.kube, ks, "Normal", "ReconciliationSucceeded", `${message}; ${counts.created} created, ${counts.configured} configured, ${counts.deleted} deleted`);
    deps.events({ type: "kustomization.done", kustomization: id, ready, reason, message });
    return { name, namespace, revision, ready, reason, message, changes: counts, durationMs, children, drift };
  };
  failSafe.finish = finish;

  if (spec.suspend) return finish(prev.conditions?.find((c) => c.type === "Ready")?.status === "True", "ReconciliationSucceeded", "suspended");
  if (spec.sourceRef.kind !== "GitRepository") return finish(false, "ArtifactFailed", `sourceRef kind ${spec.sourceRef.kind} is not supported (only GitRepository)`);

  // 1. Source
  let sourceDir: string;
  let digest: string;
  try {
    const src = await deps.sources.resolve(spec.sourceRef.namespace ?? namespace, spec.sourceRef.name);
    revision = src.artifact.revision;
    sourceDir = src.artifact.dir;
    digest = src.artifact.digest;
  } catch (err) {
    return finish(false, "ArtifactFailed", errorMessage(err));
  }

  // 2. Render (cached per source digest, build fields and variables)
  let objects: KubeObject[];
  try {
    const variables = await readVariables(deps.kube, namespace, spec);
    const keys = await readAgeKeyTexts(deps.kube, namespace, spec);
    const key = JSON.stringify([digest, id, spec.path, spec.targetNamespace, spec.namePrefix, spec.nameSuffix, spec.patches, spec.images, spec.components, spec.commonMetadata, variables, keys?.map((k) => k.source)]);
    const cached = keys ? undefined : deps.renderCache.get(key);
    if (cached) objects = structuredClone(cached);
    else {
      if (keys && !deps.makeDecryptor) throw new PlumbError("DecryptionFailed", "SOPS decryption is not available in this build");
      const decryptor = keys && deps.makeDecryptor ? deps.makeDecryptor(keys) : undefined;
      const t1 = Date.now();
      const res = await render({ sourceDir, spec, owner, digest, ...(deps.renderCacheDir ? { cacheDir: deps.renderCacheDir } : {}), ...(variables ? { variables } : {}), ...(decryptor ? { decryptor } : {}), ...(deps.signal ? { signal: deps.signal } : {}) });
      objects = res.objects;
      if (!keys) deps.renderCache.set(key, structuredClone(objects));
      deps.events({ type: "render.done", kustomization: id, objects: objects.length, durationMs: Date.now() - t1 });
    }
    if (deps.transform) objects = objects.map(deps.transform);
    objects = moveUrlCredentials(objects, (message) => deps.events({ type: "log", level: "warn", message }));
  } catch (err) {
    if (deps.signal?.aborted) return finish(false, "ReconciliationFailed", `${errorMessage(deps.signal.reason)} during the render, nothing applied (${errorMessage(err)})`);
    const reason: ConditionReason = err instanceof PlumbError ? err.reason : "BuildFailed";
    return finish(false, reason, errorMessage(err));
  }

  // 3. Guard against an empty render wiping the cluster
  // an entry that is no object id (hand-edited status) cannot be pruned: as Flux, the apply runs, the new inventory
  // replaces the old, and this reconcile fails before prune
  const { items: prevItems, invalid: invalidIds } = readInventory(prev.inventory);
  const allowEmpty = deps.allowEmpty || ks.metadata.annotations?.[ALLOW_EMPTY_ANNOTATION] === "true";
  if (objects.length === 0 && prevItems.length > 0 && !allowEmpty) {
    return finish(false, "BuildFailed", `render of path "${spec.path ?? "./"}" produced no objects while the inventory holds ${prevItems.length}; refusing to prune them (annotate the Kustomization ${ALLOW_EMPTY_ANNOTATION}: "true" to allow)`);
  }

  // 4. Apply
  let cache = deps.liveCaches.get(id);
  if (!cache) {
    cache = new LiveCache();
    deps.liveCaches.set(id, cache);
  }
  // Without watches the cache may be stale (a manual change since the last reconcile): list afresh.
  if (!cache.fedByWatch) cache.reset();
  // created objects are read again by the health checks of spec.wait, and by watch mode's live cache
  // before each stage's writes, status.inventory becomes the previous inventory plus the objects about to be
  // written: an apply killed at any point leaves only objects a later reconcile may prune (the final status
  // replaces it with what was applied)
  let recordedItems = prevItems;
  const record = async (items: readonly InventoryItem[]): Promise<void> => {
    const next = unionItems(recordedItems, items);
    if (next.length === recordedItems.length) return; // nothing new to record
    const entries = [...toInventory(next).entries, ...(prev.inventory?.entries ?? []).filter((e) => invalidIds.includes(e.id))];
    await patchStatus(deps.kube, { apiVersion: KUSTOMIZATION_API_VERSION, kind: "Kustomization", namespace, name }, { inventory: { entries } });
    recordedItems = next;
    recorded = { entries };
  };
  // the last apply succeeded with this revision and spec, and no variables come from the cluster: any difference
  // (a removed field, a write no managedFields entry records) was made in the cluster (plan/drift.ts)
  const desiredUnchanged = prev.conditions?.find((c) => c.type === "Ready")?.status === "True" && prev.lastAppliedRevision === revision && prev.observedGeneration === ks.metadata.generation && !spec.postBuild?.substituteFrom?.length;
  const ctx = { kube: deps.kube, owner, force: spec.force === true, events: deps.events, cache, previous: prevItems, keepObjects: spec.wait === true || !deps.briefCreates, record, desiredUnchanged, ...(deps.signal ? { signal: deps.signal } : {}) };
  let changes: ObjectChange[];
  try {
    changes = await applyObjects(objects, ctx);
  } catch (err) {
    // keep what is known to be ours: the previous inventory plus whatever this apply wrote before failing
    const written = err instanceof ApplyError ? err.written.map((w) => ({ ref: w.ref, version: versionOf(w.apiVersion) })) : [];
    inventory = written.length ? toInventory(unionItems(prevItems, written)) : prev.inventory;
    return finish(false, "ReconciliationFailed", errorMessage(err));
  }
  for (const c of changes) {
    counts[c.action]++;
    if (c.drift?.length) drift.push(c);
  }
  inventory = toInventory(changes.map((c) => ({ ref: c.ref, version: versionOf(c.apiVersion) })));
  children = changes.filter((c) => c.ref.group === KUSTOMIZE_GROUP && c.ref.kind === "Kustomization" && c.object).map((c) => c.object as KubeObject);

  if (deps.signal?.aborted) return finish(false, "ReconciliationFailed", `${errorMessage(deps.signal.reason)} after the apply, before prune and health checks`);
  if (invalidIds.length) {
    return finish(false, "ReconciliationFailed", `status.inventory held ${invalidIds.map((i) => `"${i}"`).join(", ")}, not <namespace>_<name>_<group>_<kind>: nothing was pruned; the inventory now holds what this revision applied`);
  }

  // 5. Prune
  if (spec.prune) {
    const stale = staleItems(prev.inventory, inventory);
    try {
      for (const s of stale.filter((i) => i.ref.group === KUSTOMIZE_GROUP && i.ref.kind === "Kustomization")) {
        counts.deleted += await collectChildInventory(deps, s.ref.namespace, s.ref.name);
      }
      for (const c of await pruneObjects(stale, ctx)) counts[c.action]++;
    } catch (err) {
      // what may not have been deleted stays a prune candidate
      inventory = toInventory(unionItems(fromInventory(inventory), stale));
      return finish(false, "PruneFailed", errorMessage(err));
    }
  }

  // 6. Health
  const timeoutMs = parseGoDuration(spec.timeout ?? spec.interval ?? "5m");
  const targets: HealthTarget[] = [];
  if (spec.wait) {
    for (const c of changes) if (c.action !== "skipped") targets.push({ apiVersion: c.apiVersion, kind: c.ref.kind, namespace: c.ref.namespace, name: c.ref.name, ...(c.object ? { object: c.object } : {}) });
  } else {
    for (const h of spec.healthChecks ?? []) {
      const apiVersion = h.apiVersion ?? (await deps.kube.mapper.preferredVersion("", h.kind)) ?? "v1";
      const obj = await deps.kube.get(apiVersion, h.kind, h.namespace ?? namespace, h.name).catch(() => undefined);
      targets.push({ apiVersion, kind: h.kind, namespace: h.namespace ?? namespace, name: h.name, ...(obj ? { object: obj } : {}) });
    }
  }
  if (targets.length) {
    healthChecked = true;
    try {
      const healthy = waitHealthy(deps.kube, targets, timeoutMs, (pending) => deps.events({ type: "health.progress", kustomization: id, pending }));
      await (deps.signal ? Promise.race([healthy, rejectOnAbort(deps.signal)]) : healthy);
    } catch (err) {
      return finish(false, "HealthCheckFailed", errorMessage(err));
    }
  }
  for (const c of drift) {
    const fields = (c.drift ?? []).map((f) => `${f.path}: live ${f.live} (${describeWriter(f)}) -> git ${f.desired}`).join("; ");
    await recordEvent(deps.kube, ks, "Warning", "DriftCorrected", `${describeRef(c.ref)}: ${fields}`);
  }
  return finish(true, "ReconciliationSucceeded", `Applied revision: ${revision}`);
}

/** A Kustomization removed from Git under a pruning parent: delete what its own inventory holds first. */
async function collectChildInventory(deps: ReconcileDeps, namespace: string, name: string): Promise<number> {
  const child = await deps.kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", namespace, name).catch(() => undefined);
  if (!child) return 0;
  const spec = child["spec"] as KustomizationSpec | undefined;
  const status = (child["status"] ?? {}) as KustomizationStatus;
  if (!spec?.prune) return 0;
  const items = fromInventory(status.inventory);
  for (const k of items.filter((i) => i.ref.group === KUSTOMIZE_GROUP && i.ref.kind === "Kustomization")) await collectChildInventory(deps, k.ref.namespace, k.ref.name);
  const ctx = { kube: deps.kube, owner: { name, namespace }, force: false, events: deps.events, cache: new LiveCache(), ...(deps.signal ? { signal: deps.signal } : {}) };
  const deleted = await pruneObjects(items, ctx);
  return deleted.filter((c) => c.action === "deleted").length;
}

/** Rejects when the shutdown signal fires (a health wait does not outlast it). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = (): void => reject(new Error(`${errorMessage(signal.reason)} during health checks`));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
