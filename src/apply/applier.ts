/**
 * The only module that writes to the cluster. Staged server-side apply: dry-run every object that may have
 * changed, write nothing of a stage if any dry-run fails, then write only what differs; prune in reverse order.
 * A stage none of whose objects exists yet (a first apply) has nothing live to protect: its objects are created
 * without a separate dry-run, in apply order, and no create starts after the server has rejected one.
 */
import type { KubeClient } from "../kube/client.ts";
import { KubeApiError } from "../kube/http.ts";
import { hasCondition, waitForObject } from "../kube/wait.ts";
import { settleLimit } from "../core/concurrency.ts";
import { ApplyError, errorMessage } from "../core/errors.ts";
import type { ChangeAction, EventSink, FieldDrift } from "../core/events.ts";
import { FIELD_MANAGER, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../core/flux-api.ts";
import { describeObject, describeRef, refOf, versionOf, type KubeObject, type ObjectRef } from "../core/object-ref.ts";
import type { InventoryItem } from "../core/inventory.ts";
import { compareForPrune, planStages } from "../plan/stages.ts";
import { afterDryRun, beforeDryRun, existenceQueries, kindsToList, mayBeNewStage } from "../plan/apply-decision.ts";
import { dryRunChanges } from "../plan/compare.ts";
import { driftReport } from "../plan/drift.ts";
import { withNativeDefaults } from "../plan/native-defaults.ts";
import type { LiveCache } from "./live-cache.ts";
import { policyOf } from "./object-policy.ts";
import { takeOverManagedFields } from "./take-ownership.ts";

export interface ApplyContext {
  kube: KubeClient;
  owner: { name: string; namespace: string };
  /** spec.force: recreate objects whose immutable fields changed. */
  force: boolean;
  events: EventSink;
  cache: LiveCache;
  concurrency?: number;
  waitTimeoutMs?: number;
  /** The previous inventory, when known: only its kinds are listed by owner label (see plan/apply-decision.ts). */
  previous?: readonly InventoryItem[];
  /** What is applied is what the last successful apply applied (same revision and spec): a missing field was removed in the cluster (plan/drift.ts). */
  desiredUnchanged?: boolean;
  /**
   * Whether created objects are needed whole afterwards (health checks read them). When false, a create asks for
   * the result's metadata only, except for kinds the engine reads back (CRDs, Namespaces, Kustomizations).
   */
  keepObjects?: boolean;
  /**
   * Called before a stage's first write with every object the stage is about to create, update or recreate: the
   * caller records them (status.inventory) so that an apply interrupted at any point (SIGKILL, a crash) leaves
   * no object that is not a prune candidate. A failure here writes nothing of the stage.
   */
  record?: (items: readonly InventoryItem[]) => Promise<void>;
  /** Aborted on shutdown (SIGTERM, SIGINT): no write starts after it; writes in flight complete. */
  signal?: AbortSignal;
}

/** Kinds whose apply result the engine reads: readiness of definitions, child Kustomizations to schedule. */
const READ_BACK = new Set(["CustomResourceDefinition", "Namespace", "Kustomization"]);

export interface ObjectChange {
  ref: ObjectRef;
  apiVersion: string;
  action: ChangeAction;
  /** Fields changed in the cluster since our last apply, now corrected (not changes from Git). */
  drift?: FieldDrift[];
  /** Fields that change because Git asks for something else. */
  fromGit?: FieldDrift[];
  /** The object as the API server returned it after apply (or the live object when unchanged). */
  object?: KubeObject;
}

type Planned =
  | { kind: "skip"; obj: KubeObject; live?: KubeObject }
  | { kind: "unchanged"; obj: KubeObject; live: KubeObject }
  | { kind: "create"; obj: KubeObject }
  | { kind: "update"; obj: KubeObject; live: KubeObject; drift: FieldDrift[]; fromGit: FieldDrift[]; takeover: boolean }
  | { kind: "recreate"; obj: KubeObject; live: KubeObject; drift: FieldDrift[] };

function isImmutableError(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 422 && /immutable|may not change|cannot change/i.test(err.message);
}

function ownerSelector(owner: { name: string; namespace: string }): string {
  return `${OWNER_NAME_LABEL}=${owner.name},${OWNER_NAMESPACE_LABEL}=${owner.namespace}`;
}

/** Sets or drops metadata.namespace to match the resource's scope. */
async function normalizeScope(kube: KubeClient, obj: KubeObject): Promise<void> {
  const m = await kube.mapping(obj.apiVersion, obj.kind);
  if (m.namespaced && !obj.metadata.namespace) obj.metadata.namespace = "default";
  if (!m.namespaced && obj.metadata.namespace) delete obj.metadata.namespace;
}

/** Reads one object; for objects the owner-labelled list did not return (they may exist without our labels). */
function readLive(ctx: ApplyContext, obj: KubeObject): Promise<KubeObject | undefined> {
  return ctx.kube.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "");
}

/** A dry-run apply; `metadataOnly` when only existence matters (nothing live to compare the result with). */
function dryRun(ctx: ApplyContext, obj: KubeObject, metadataOnly = false): Promise<KubeObject> {
  return ctx.kube.apply(obj, { fieldManager: FIELD_MANAGER, force: true, dryRun: true, metadataOnly });
}

/** The object as it will be sent: native defaults filled in, namespace set or dropped to match its scope. */
async function prepare(ctx: ApplyContext, rendered: KubeObject): Promise<KubeObject> {
  const obj = withNativeDefaults(rendered);
  await normalizeScope(ctx.kube, obj);
  return obj;
}

/**
 * True when none of the stage's objects exists in the cluster: not in the previous inventory, not listed by
 * owner label, and not found by name (metadata-only lists or GETs, one query per kind and namespace). Objects
 * in a namespace this apply has just created need no query: nothing there predates it but what controllers put
 * there (a default ServiceAccount, a CA ConfigMap), whose apply is harmless. Any doubt (a failed query) answers
 * false, and the stage takes the dry-run path.
 */
async function isNewStage(ctx: ApplyContext, objects: readonly KubeObject[], createdNamespaces: ReadonlySet<string>): Promise<boolean> {
  if (!mayBeNewStage(objects, ctx.previous, (ref) => ctx.cache.get(ref) !== undefined)) return false;
  const queries = existenceQueries(objects.filter((o) => !o.metadata.namespace || !createdNamespaces.has(o.metadata.namespace)));
  const found = await settleLimit(queries, ctx.concurrency ?? 16, (q) => ctx.kube.existingNames(q.apiVersion, q.kind, q.namespace, q.names));
  return found.every((r) => r.ok && r.value.size === 0);
}

/**
 * Plans one object with as few requests as possible (see plan/apply-decision.ts): none when the listed live
 * object already matches or the stage is new, a dry-run otherwise, and a GET only for an object that exists
 * without our labels.
 */
async function planObject(ctx: ApplyContext, obj: KubeObject, newStage: boolean): Promise<Planned> {
  const policy = policyOf(obj);
  let live = ctx.cache.get(refOf(obj));
  if (live && policyOf(live).reconcileDisabled) return { kind: "skip", obj }; // disabled on the live object (as prune does)
  switch (beforeDryRun(obj, policy, live, FIELD_MANAGER)) {
    case "skip": // ssa: IfNotPresent reports the live object it left alone
      return { kind: "skip", obj, ...(live && !policy.reconcileDisabled && policy.ssa === "IfNotPresent" ? { live } : {}) };
    case "unchanged":
      return { kind: "unchanged", obj, live: live as KubeObject };
    case "read-live":
      if (newStage) return { kind: "create", obj }; // known absent
      live = await readLive(ctx, obj);
      if (live) return { kind: "skip", obj, live }; // ssa: IfNotPresent, and it is present
      break;
    case "dry-run":
      if (newStage) return { kind: "create", obj }; // the create itself is validated; nothing live to protect
      break;
  }
  // Not listed: most likely absent, and then the dry-run's only answer that matters is "no resourceVersion"; its
  // metadata says so at a fraction of the cost. If it exists after all, the full dry-run follows the GET below.
  const metadataOnly = live === undefined;
  let dry: KubeObject;
  try {
    dry = await dryRun(ctx, obj, metadataOnly);
  } catch (err) {
    if (isImmutableError(err) && (ctx.force || policy.force)) {
      live ??= await readLive(ctx, obj);
      if (live) return { kind: "recreate", obj, live, drift: [] };
    }
    throw err;
  }
  switch (afterDryRun(dry, live)) {
    case "create":
      return { kind: "create", obj };
    case "read-live":
      live = await readLive(ctx, obj);
      if (!live) return { kind: "create", obj }; // deleted since the dry-run
      if (policyOf(live).reconcileDisabled) return { kind: "skip", obj };
      if (metadataOnly) dry = await dryRun(ctx, obj);
      break;
    case "compare":
      break;
  }
  const current = live as KubeObject;
  const takeover = policy.ssa !== "Merge" && takeOverManagedFields(current, FIELD_MANAGER) !== undefined;
  if (!takeover && !dryRunChanges(dry, current)) return { kind: "unchanged", obj, live: current };
  const fields = driftReport(dry, current, FIELD_MANAGER, { desiredUnchanged: ctx.desiredUnchanged === true });
  return { kind: "update", obj, live: current, drift: fields.drift, fromGit: fields.fromGit, takeover };
}

async function write(ctx: ApplyContext, p: Planned): Promise<ObjectChange> {
  const ref = refOf(p.obj);
  const base = { ref, apiVersion: p.obj.apiVersion };
  switch (p.kind) {
    case "skip":
      return { ...base, action: "skipped", ...(p.live ? { object: p.live } : {}) };
    case "unchanged":
      return { ...base, action: "unchanged", object: p.live };
    case "create": {
      // nothing to compare a new object with: unless it is read back, its metadata is all the answer we need
      const brief = ctx.keepObjects === false && !READ_BACK.has(p.obj.kind);
      const mark = ctx.cache.mark();
      const res = await ctx.kube.apply(p.obj, { fieldManager: FIELD_MANAGER, force: true, metadataOnly: brief });
      if (brief) ctx.cache.noteKind(p.obj);
      else ctx.cache.putApplied(res, mark);
      return { ...base, action: "created", ...(brief ? {} : { object: res }) };
    }
    case "update": {
      if (p.takeover) {
        const managedFields = takeOverManagedFields(p.live, FIELD_MANAGER);
        await ctx.kube.patch(p.obj.apiVersion, p.obj.kind, ref.namespace || undefined, ref.name, { metadata: { managedFields, resourceVersion: p.live.metadata.resourceVersion } }, "application/merge-patch+json");
      }
      const mark = ctx.cache.mark();
      const res = await ctx.kube.apply(p.obj, { fieldManager: FIELD_MANAGER, force: true });
      ctx.cache.putApplied(res, mark);
      if (p.drift.length) ctx.events({ type: "drift.detected", kustomization: `${ctx.owner.namespace}/${ctx.owner.name}`, ref, fields: p.drift });
      return { ...base, action: "configured", drift: p.drift, fromGit: p.fromGit, object: res };
    }
    case "recreate": {
      await ctx.kube.delete(p.obj.apiVersion, p.obj.kind, ref.namespace || undefined, ref.name, "Foreground");
      await waitForObject(ctx.kube, p.obj.apiVersion, p.obj.kind, ref.namespace || undefined, ref.name, (o) => o === undefined || o.metadata.uid !== p.live.metadata.uid, { timeoutMs: ctx.waitTimeoutMs ?? 60_000 });
      const mark = ctx.cache.mark();
      const res = await ctx.kube.apply(p.obj, { fieldManager: FIELD_MANAGER, force: true });
      ctx.cache.putApplied(res, mark);
      return { ...base, action: "configured", drift: p.drift, object: res };
    }
  }
}

const isActive = (o: KubeObject | undefined): boolean => (o?.["status"] as { phase?: string } | undefined)?.phase === "Active";
const isEstablished = (o: KubeObject | undefined): boolean => hasCondition(o, "Established");

/** Waits until written CRDs are Established and Namespaces Active (no request when the apply response already says so). */
async function waitDefinitions(ctx: ApplyContext, changes: readonly ObjectChange[]): Promise<void> {
  const timeoutMs = ctx.waitTimeoutMs ?? 60_000;
  const written = changes.filter((c) => c.action === "created" || c.action === "configured");
  await Promise.all(written.map(async (c) => {
    const ready = c.ref.kind === "CustomResourceDefinition" ? isEstablished : c.ref.kind === "Namespace" ? isActive : undefined;
    if (!ready || ready(c.object)) return;
    await waitForObject(ctx.kube, c.apiVersion, c.ref.kind, undefined, c.ref.name, ready, { timeoutMs });
  }));
  // discovery of the groups whose definitions changed is stale now
  const groups = new Set(written.filter((c) => c.ref.kind === "CustomResourceDefinition").map((c) => (c.object?.["spec"] as { group?: string } | undefined)?.group));
  for (const g of groups) ctx.kube.mapper.invalidate(g);
}

const failureText = (err: unknown): string => (err instanceof KubeApiError ? err.apiMessage : errorMessage(err));

/**
 * A write whose request failed without a definite answer may have been done: no response (a reset connection, a
 * client timeout) or the API server's own timeout (504: the request may still complete in storage). Any other
 * answer, a 500 included (server-side apply's type errors), is a rejection.
 */
const mayHaveWritten = (err: unknown): boolean => !(err instanceof KubeApiError) || err.status === 504 || err.status === 0;

const itemOf = (c: { ref: ObjectRef; apiVersion: string }): InventoryItem => ({ ref: c.ref, version: versionOf(c.apiVersion) });

/** Why an apply or prune stops: the shutdown's reason ("interrupted by SIGTERM"). */
const interruption = (signal: AbortSignal): string => errorMessage(signal.reason ?? "interrupted");

/**
 * Writes planned objects, at most `limit` at once. In a new stage (no dry-run pass) they start in apply order
 * and none starts once the server has rejected one: only the creates already in flight complete.
 */
async function writeStage(ctx: ApplyContext, planned: readonly Planned[], newStage: boolean, limit: number): Promise<{ done: ObjectChange[]; failures: string[]; uncertain: ObjectChange[]; notStarted: number }> {
  let stopped = false;
  let notStarted = 0;
  const written = await settleLimit(planned, limit, async (p): Promise<ObjectChange | undefined> => {
    if (stopped || ctx.signal?.aborted) {
      notStarted++;
      return undefined; // not attempted
    }
    try {
      return await write(ctx, p);
    } catch (error) {
      if (newStage) stopped = true;
      throw error;
    }
  });
  const done: ObjectChange[] = [];
  const failures: string[] = [];
  const uncertain: ObjectChange[] = [];
  written.forEach((r, i) => {
    if (r.ok) {
      if (!r.value) return; // not attempted
      done.push(r.value);
      ctx.events({ type: "apply.object", kustomization: `${ctx.owner.namespace}/${ctx.owner.name}`, ref: r.value.ref, action: r.value.action, ...(r.value.fromGit?.length ? { fields: r.value.fromGit } : {}) });
    } else {
      const obj = (planned[i] as Planned).obj;
      failures.push(`${describeObject(obj)}: ${newStage ? "create" : "apply"} failed: ${failureText(r.error)}`);
      if (mayHaveWritten(r.error)) uncertain.push({ ref: refOf(obj), apiVersion: obj.apiVersion, action: "configured" });
    }
  });
  return { done, failures, uncertain, notStarted };
}

/**
 * Applies all objects in stages. Throws ApplyError naming every object whose dry-run failed (nothing of that
 * stage is written) or whose write failed; the error carries what was written before (for the inventory), and
 * the writes that failed without a definite answer (they may have been done). Before a stage's writes,
 * ctx.record receives the objects about to be written. Once ctx.signal is aborted no write starts: the apply
 * ends with an ApplyError saying so after the writes in flight.
 */
export async function applyObjects(objects: readonly KubeObject[], ctx: ApplyContext): Promise<ObjectChange[]> {
  const limit = ctx.concurrency ?? 16;
  const changes: ObjectChange[] = [];
  const written = (): ObjectChange[] => changes.filter((c) => c.action === "created" || c.action === "configured");
  for (const stage of planStages(objects)) {
    if (ctx.signal?.aborted) throw new ApplyError(`${interruption(ctx.signal)} before the ${stage.name} stage: nothing of it was written`, { written: written() });
    // this stage's kinds only: a custom resource's kind is listable once an earlier stage established its CRD
    await ctx.cache.prime(ctx.kube, kindsToList(stage.objects, ctx.previous), ownerSelector(ctx.owner));
    const prepared = await settleLimit(stage.objects, limit, (o) => prepare(ctx, o));
    const ready = prepared.flatMap((r) => (r.ok ? [r.value] : []));
    const createdNamespaces = new Set(changes.filter((c) => c.ref.kind === "Namespace" && !c.ref.group && c.action === "created").map((c) => c.ref.name));
    const newStage = ready.length === prepared.length && (await isNewStage(ctx, ready, createdNamespaces));
    const planned = await settleLimit(prepared, limit, async (r) => {
      if (!r.ok) throw r.error;
      return planObject(ctx, r.value, newStage);
    });
    const failures = planned.flatMap((r, i) => (r.ok ? [] : [`${describeObject(stage.objects[i] as KubeObject)}: ${isImmutableError(r.error) ? "immutable field changed (set spec.force or the kustomize.toolkit.fluxcd.io/force: enabled annotation to recreate): " : "dry-run failed: "}${failureText(r.error)}`]));
    if (failures.length) throw new ApplyError(`${stage.name} stage: ${failures.join("; ")}`, { written: written() });
    const plans = planned.map((r) => (r as { ok: true; value: Planned }).value);
    const toWrite = plans.filter((p) => p.kind === "create" || p.kind === "update" || p.kind === "recreate").map((p) => itemOf({ ref: refOf(p.obj), apiVersion: p.obj.apiVersion }));
    if (ctx.signal?.aborted) throw new ApplyError(`${interruption(ctx.signal)} before the ${stage.name} stage's writes: nothing of it was written`, { written: written() });
    if (toWrite.length && ctx.record) {
      try {
        await ctx.record(toWrite);
      } catch (err) {
        throw new ApplyError(`${stage.name} stage: the objects about to be written could not be recorded in status.inventory, so nothing of the stage was written: ${failureText(err)}`, { written: written(), cause: err });
      }
    }
    const { done, failures: writeFailures, uncertain, notStarted } = await writeStage(ctx, plans, newStage, limit);
    changes.push(...done);
    if (writeFailures.length) {
      const kept = newStage && done.length ? ` (${done.length} objects of this new stage were created and stay in the inventory)` : "";
      throw new ApplyError(`${stage.name} stage: ${writeFailures.join("; ")}${kept}`, { written: [...written(), ...uncertain] });
    }
    if (notStarted && ctx.signal?.aborted) {
      throw new ApplyError(`${interruption(ctx.signal)} during the ${stage.name} stage: ${done.length} objects written, ${notStarted} not started (they stay in the inventory as prune candidates until the next apply)`, { written: [...written(), ...uncertain] });
    }
    if (stage.name === "definitions") await waitDefinitions(ctx, changes);
  }
  return changes;
}

/** Deletes stale objects that still carry our ownership labels and are not `prune: disabled`, in reverse kind order. */
export async function pruneObjects(stale: readonly InventoryItem[], ctx: ApplyContext): Promise<ObjectChange[]> {
  const out: ObjectChange[] = [];
  const sorted = [...stale].sort((a, b) => compareForPrune(a.ref, b.ref));
  const groups: InventoryItem[][] = [];
  for (const item of sorted) {
    const last = groups.at(-1);
    if (last && last[0]?.ref.kind === item.ref.kind) last.push(item);
    else groups.push([item]);
  }
  const errors: string[] = [];
  let notStarted = 0;
  for (const group of groups) {
    const results = await settleLimit(group, ctx.concurrency ?? 16, async (item): Promise<ObjectChange | undefined> => {
      if (ctx.signal?.aborted) {
        notStarted++;
        return undefined;
      }
      const apiVersion = item.ref.group ? `${item.ref.group}/${item.version}` : item.version;
      let live: KubeObject | undefined;
      try {
        live = await ctx.kube.get(apiVersion, item.ref.kind, item.ref.namespace || undefined, item.ref.name);
      } catch (err) {
        if (/no resource for/.test(errorMessage(err))) return undefined; // its kind is gone: nothing to delete
        throw err;
      }
      if (!live || live.metadata.deletionTimestamp) return undefined;
      const labels = live.metadata.labels ?? {};
      if (labels[OWNER_NAME_LABEL] !== ctx.owner.name || labels[OWNER_NAMESPACE_LABEL] !== ctx.owner.namespace) return { ref: item.ref, apiVersion, action: "skipped" };
      const livePolicy = policyOf(live);
      if (livePolicy.pruneDisabled || livePolicy.reconcileDisabled) return { ref: item.ref, apiVersion, action: "skipped" };
      await ctx.kube.delete(apiVersion, item.ref.kind, item.ref.namespace || undefined, item.ref.name);
      ctx.cache.remove(item.ref);
      ctx.events({ type: "prune.object", kustomization: `${ctx.owner.namespace}/${ctx.owner.name}`, ref: item.ref });
      return { ref: item.ref, apiVersion, action: "deleted" };
    });
    results.forEach((r, i) => {
      if (r.ok && r.value) out.push(r.value);
      else if (!r.ok) errors.push(`${describeRef((group[i] as InventoryItem).ref)}: delete failed: ${errorMessage(r.error)}`);
    });
  }
  if (errors.length) throw new ApplyError(`prune: ${errors.join("; ")}`);
  if (notStarted && ctx.signal?.aborted) throw new ApplyError(`prune ${interruption(ctx.signal)}: ${out.filter((c) => c.action === "deleted").length} deleted, ${notStarted} not started`);
  return out;
}

/** Plans without writing: what a sync would do to each object, with field-level drift (dry-run requests only). */
export async function diffObjects(objects: readonly KubeObject[], ctx: ApplyContext): Promise<(ObjectChange & { error?: string })[]> {
  await ctx.cache.prime(ctx.kube, kindsToList(objects, ctx.previous), ownerSelector(ctx.owner));
  const planned = await settleLimit(objects, ctx.concurrency ?? 16, async (o) => planObject(ctx, await prepare(ctx, o), false));
  return planned.map((r, i) => {
    const obj = objects[i] as KubeObject;
    const base = { ref: refOf(obj), apiVersion: obj.apiVersion };
    if (!r.ok) {
      const msg = failureText(r.error);
      // a custom resource whose CRD this same sync would create cannot be dry-run yet
      if (/no resource for/.test(msg)) return { ...base, action: "created" as const };
      return { ...base, action: "configured" as const, error: msg };
    }
    const p = r.value;
    switch (p.kind) {
      case "skip": return { ...base, action: "skipped" as const };
      case "unchanged": return { ...base, action: "unchanged" as const };
      case "create": return { ...base, action: "created" as const };
      default: return { ...base, action: "configured" as const, drift: p.drift, ...(p.kind === "update" ? { fromGit: p.fromGit } : {}) };
    }
  });
}
