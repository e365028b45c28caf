/**
 * Which requests an object needs, decided from what is already known. Pure.
 *
 * The live cache holds the objects carrying our owner labels (one list per kind the previous inventory holds,
 * none on a first apply). An object missing from it may still exist, without our labels (created by hand or by
 * another tool) or as a leftover: the server-side dry-run tells, because a dry-run that would create an object
 * returns it without a resourceVersion. So a GET is only needed when the dry-run shows an object we did not
 * list (SSA takeover: its managedFields decide what we take back), or when `ssa: IfNotPresent` must know about
 * existence before anything else.
 */
import { inventoryId, refOf, type KubeObject, type ObjectRef } from "../core/object-ref.ts";
import { judgeLive } from "./compare.ts";

/**
 * The kinds worth one list by owner label before planning: every kind of `objects`, or, when the previous
 * inventory is known, only kinds it holds. An object of another kind carrying our labels can only be a leftover
 * (a Kustomization recreated without pruning); the dry-run finds it all the same, at the cost of one GET.
 */
export function kindsToList(objects: readonly KubeObject[], previous?: readonly { ref: { group: string; kind: string } }[]): { apiVersion: string; kind: string }[] {
  const held = previous && new Set(previous.map((i) => `${i.ref.group}/${i.ref.kind}`));
  const out = new Map<string, { apiVersion: string; kind: string }>();
  for (const o of objects) {
    const slash = o.apiVersion.indexOf("/");
    const group = slash < 0 ? "" : o.apiVersion.slice(0, slash);
    if (held && !held.has(`${group}/${o.kind}`)) continue;
    out.set(`${o.apiVersion}/${o.kind}`, { apiVersion: o.apiVersion, kind: o.kind });
  }
  return [...out.values()];
}

export interface ObjectFlags {
  reconcileDisabled: boolean;
  ssa: "Override" | "Merge" | "IfNotPresent" | "Ignore";
}

export type BeforeDryRun =
  /** Not ours to apply (reconcile disabled, ssa Ignore, or IfNotPresent and present). */
  | "skip"
  /** Every desired value is live and owned by us: no request at all. */
  | "unchanged"
  /** Existence must be known before the dry-run: read the object. */
  | "read-live"
  | "dry-run";

export function beforeDryRun(desired: KubeObject, flags: ObjectFlags, cached: KubeObject | undefined, manager: string): BeforeDryRun {
  if (flags.reconcileDisabled || flags.ssa === "Ignore") return "skip";
  if (flags.ssa === "IfNotPresent") return cached ? "skip" : "read-live";
  if (cached && judgeLive(desired, cached, manager) === "unchanged") return "unchanged";
  return "dry-run";
}

/** True when a dry-run apply result is an object that did not exist (a create): it carries no resourceVersion. */
export function dryRunCreates(dryRun: KubeObject): boolean {
  return !dryRun.metadata.resourceVersion;
}

export type AfterDryRun =
  /** Absent at dry-run time: apply creates it. */
  | "create"
  /** It exists but we had not listed it (no owner labels): read it to compare and take ownership back. */
  | "read-live"
  /** Compare the dry-run result with the live object we have. */
  | "compare";

export function afterDryRun(dryRun: KubeObject, live: KubeObject | undefined): AfterDryRun {
  if (live) return "compare";
  return dryRunCreates(dryRun) ? "create" : "read-live";
}

/**
 * A stage may be new (none of its objects in the cluster yet) only when the previous inventory is known and holds
 * none of them, and none is among the live objects listed by owner label. The cluster still has the last word:
 * see `existenceQueries`.
 */
export function mayBeNewStage(objects: readonly KubeObject[], previous: readonly { ref: ObjectRef }[] | undefined, isCached: (ref: ObjectRef) => boolean): boolean {
  if (!previous) return false;
  const held = new Set(previous.map((i) => inventoryId(i.ref)));
  return objects.every((o) => {
    const ref = refOf(o);
    return !held.has(inventoryId(ref)) && !isCached(ref);
  });
}

export interface ExistenceQuery {
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  names: string[];
}

/** The objects grouped by apiVersion, kind and namespace: one existence query each. */
export function existenceQueries(objects: readonly KubeObject[]): ExistenceQuery[] {
  const out = new Map<string, ExistenceQuery>();
  for (const o of objects) {
    const key = `${o.apiVersion}\n${o.kind}\n${o.metadata.namespace ?? ""}`;
    let q = out.get(key);
    if (!q) out.set(key, (q = { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace || undefined, names: [] }));
    q.names.push(o.metadata.name ?? "");
  }
  return [...out.values()];
}
