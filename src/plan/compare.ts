/** Decides, without a request, whether a live object already matches what we would apply. Pure. */
import type { KubeObject } from "../core/object-ref.ts";
import { fieldsCover, isTakeoverManager, leafPaths, type PathSegment } from "./managed-fields.ts";

/** Every value present in `desired` is present and equal in `live` (lists: same length, element-wise). */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === null || typeof desired !== "object") return desired === live || (desired === null && live === undefined);
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => isSubset(d, live[i]));
  }
  if (!live || typeof live !== "object" || Array.isArray(live)) return false;
  const l = live as Record<string, unknown>;
  return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isSubset(v, l[k]));
}

function get(obj: unknown, path: readonly PathSegment[]): unknown {
  let cur = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Fields we own in `live` that `desired` no longer sets: applying would remove them. */
export function ownedButNotDesired(desired: KubeObject, live: KubeObject, manager: string): PathSegment[][] {
  const ours = (live.metadata.managedFields ?? []).filter((e) => e.manager === manager && e.operation === "Apply" && !e.subresource);
  const out: PathSegment[][] = [];
  for (const e of ours) {
    for (const p of leafPaths(e.fieldsV1, live)) {
      if (p.length === 0) continue;
      // list elements are identified by position in live; check presence through the desired object's matching element
      if (get(desired, p) === undefined && !fieldsCover(undefined, desired, p)) out.push(p);
    }
  }
  return out;
}

export type LiveVerdict = "unchanged" | "needs-dry-run";

/**
 * `unchanged` only when it is certain applying would change nothing: our Apply entry exists, no manager we
 * take ownership back from has fields, every desired value is already live, and nothing we own was dropped.
 */
export function judgeLive(desired: KubeObject, live: KubeObject, manager: string): LiveVerdict {
  const mf = live.metadata.managedFields ?? [];
  if (!mf.some((e) => e.manager === manager && e.operation === "Apply")) return "needs-dry-run";
  if (mf.some((e) => isTakeoverManager(e, manager))) return "needs-dry-run";
  if (!isSubset(desired, live)) return "needs-dry-run";
  if (ownedButNotDesired(desired, live, manager).length) return "needs-dry-run";
  return "unchanged";
}

const VOLATILE_META = ["resourceVersion", "generation", "managedFields", "creationTimestamp", "uid", "selfLink"];

function stripVolatile(obj: KubeObject): unknown {
  const { metadata, ...rest } = obj;
  const meta: Record<string, unknown> = { ...metadata };
  for (const k of VOLATILE_META) delete meta[k];
  return { ...rest, metadata: meta };
}

function managersSignature(obj: KubeObject): string {
  return JSON.stringify((obj.metadata.managedFields ?? []).map((e) => [e.manager, e.operation, e.subresource ?? "", e.fieldsV1]));
}

/** After a dry-run apply: does the result differ from live (values or field ownership)? */
export function dryRunChanges(dryRun: KubeObject, live: KubeObject): boolean {
  return JSON.stringify(stripVolatile(dryRun)) !== JSON.stringify(stripVolatile(live)) || managersSignature(dryRun) !== managersSignature(live);
}
