/** Reading managedFields (fieldsV1) against objects, pure. */
import type { KubeObject, ManagedFieldsEntry } from "../core/object-ref.ts";

export type PathSegment = string | number;

/** Managers whose ownership Plumbline takes back so manual edits are reverted (as Flux does). */
export const TAKEOVER_MANAGERS = ["kubectl", "kubectl-client-side-apply", "kubectl-edit", "kubectl-patch", "kubectl-label", "kubectl-annotate", "kubectl-scale", "kubectl-set", "kubectl-replace", "kubectl-rollout", "before-first-apply"];

/** Annotations that ask for a reconcile (`flux reconcile`, `kubectl annotate`): requests to handle, not drift to revert. */
export const REQUEST_ANNOTATION_FIELDS = new Set(["f:reconcile.fluxcd.io/requestedAt"]);

/**
 * Splits a fieldsV1 set into the request annotations it holds and everything else. A takeover moves only the rest:
 * taking a pending request over would let our next apply delete it before the Kustomization handled it.
 */
export function splitRequestFields(fields: Record<string, unknown> | undefined): { request: Record<string, unknown> | undefined; rest: Record<string, unknown> | undefined } {
  const meta = fields?.["f:metadata"] as Record<string, unknown> | undefined;
  const ann = meta?.["f:annotations"] as Record<string, unknown> | undefined;
  const reqKeys = Object.keys(ann ?? {}).filter((k) => REQUEST_ANNOTATION_FIELDS.has(k));
  if (!fields || !ann || !reqKeys.length) return { request: undefined, rest: fields && Object.keys(fields).length ? fields : undefined };
  const otherAnn = Object.fromEntries(Object.entries(ann).filter(([k]) => !REQUEST_ANNOTATION_FIELDS.has(k) && k !== "."));
  const otherMeta: Record<string, unknown> = Object.fromEntries(Object.entries(meta ?? {}).filter(([k]) => k !== "f:annotations"));
  if (Object.keys(otherAnn).length) otherMeta["f:annotations"] = otherAnn;
  const rest: Record<string, unknown> = Object.fromEntries(Object.entries(fields).filter(([k]) => k !== "f:metadata"));
  if (Object.keys(otherMeta).filter((k) => k !== ".").length) rest["f:metadata"] = otherMeta;
  const request = { "f:metadata": { "f:annotations": Object.fromEntries(reqKeys.map((k) => [k, ann[k]])) } };
  return { request, rest: Object.keys(rest).length ? rest : undefined };
}

export function isTakeoverManager(entry: ManagedFieldsEntry, ourManager: string): boolean {
  if (!entry.manager || entry.manager === ourManager) return false;
  if (entry.subresource && entry.subresource !== "") return false;
  if (!splitRequestFields(entry.fieldsV1).rest) return false; // nothing but a pending request
  return TAKEOVER_MANAGERS.includes(entry.manager) || (entry.manager.startsWith("kubectl") && entry.operation === "Update");
}

function matchesKey(fieldKey: string, element: unknown): boolean {
  if (fieldKey.startsWith("k:")) {
    try {
      const key = JSON.parse(fieldKey.slice(2)) as Record<string, unknown>;
      if (!element || typeof element !== "object") return false;
      return Object.entries(key).every(([k, v]) => JSON.stringify((element as Record<string, unknown>)[k]) === JSON.stringify(v));
    } catch {
      return false;
    }
  }
  if (fieldKey.startsWith("v:")) return fieldKey.slice(2) === JSON.stringify(element);
  return false;
}

/** The node of a fieldsV1 set at the given path (evaluated against `obj` to resolve list elements), if it records it. */
function nodeAt(fields: Record<string, unknown> | undefined, obj: unknown, path: readonly PathSegment[]): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = fields;
  let cur: unknown = obj;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === "number") {
      const el = Array.isArray(cur) ? cur[seg] : undefined;
      const key: string | undefined = Object.keys(node).find((k) => matchesKey(k, el)) ?? (node[`i:${seg}`] ? `i:${seg}` : undefined);
      if (!key) return undefined;
      node = node[key] as Record<string, unknown> | undefined;
      cur = el;
    } else {
      const next: unknown = node[`f:${seg}`];
      if (next === undefined) return undefined;
      node = next as Record<string, unknown>;
      cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return node;
}

/** Does this fieldsV1 set cover the given path (evaluated against `obj` to resolve list elements)? */
export function fieldsCover(fields: Record<string, unknown> | undefined, obj: unknown, path: readonly PathSegment[]): boolean {
  return nodeAt(fields, obj, path) !== undefined;
}

/** The manager (and time) that owns a path in the live object, preferring the most specific owner. */
export function ownerOf(live: KubeObject, path: readonly PathSegment[]): { manager: string | undefined; time: string | undefined } {
  let best: ManagedFieldsEntry | undefined;
  for (let len = path.length; len > 0 && !best; len--) {
    best = (live.metadata.managedFields ?? []).find((e) => !e.subresource && fieldsCover(e.fieldsV1, live, path.slice(0, len)));
  }
  return { manager: best?.manager, time: best?.time };
}

/**
 * The entries that own the value at a path of the live object: those recording the path itself, else those
 * recording an ancestor as a whole (an atomic list, map or struct is a leaf `{}` in fieldsV1). None when nobody
 * wrote the value: a default the API server filled in, or a field that is not there. Entries of subresources count:
 * `kubectl scale` writes spec.replicas through /scale (recorded with `subresource: scale` since Kubernetes 1.22);
 * status writers own status fields only, which drift never compares.
 */
export function ownersOf(live: KubeObject, path: readonly PathSegment[]): ManagedFieldsEntry[] {
  const entries = live.metadata.managedFields ?? [];
  const exact = entries.filter((e) => nodeAt(e.fieldsV1, live, path) !== undefined);
  if (exact.length) return exact;
  for (let len = path.length - 1; len > 0; len--) {
    const atomic = entries.filter((e) => {
      const node = nodeAt(e.fieldsV1, live, path.slice(0, len));
      return node !== undefined && Object.keys(node).length === 0;
    });
    if (atomic.length) return atomic;
  }
  return [];
}

/** Leaf paths recorded in one fieldsV1 set, resolved to readable segments against the live object. */
export function leafPaths(fields: Record<string, unknown> | undefined, obj: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [];
  if (!fields) return out;
  const keys = Object.keys(fields).filter((k) => k !== ".");
  if (keys.length === 0) return [prefix];
  for (const k of keys) {
    const sub = fields[k] as Record<string, unknown>;
    if (k.startsWith("f:")) {
      const name = k.slice(2);
      out.push(...leafPaths(sub, obj && typeof obj === "object" ? (obj as Record<string, unknown>)[name] : undefined, [...prefix, name]));
    } else if (Array.isArray(obj)) {
      const idx = obj.findIndex((el) => matchesKey(k, el));
      const i = idx >= 0 ? idx : k.startsWith("i:") ? Number(k.slice(2)) : -1;
      if (i >= 0) out.push(...leafPaths(sub, obj[i], [...prefix, i]));
    }
  }
  return out;
}
