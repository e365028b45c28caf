/** A field-by-field drift report: path, live value, Git value, and who last wrote the field. Secret values masked. Pure. */
import type { FieldDrift } from "../core/events.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { isTakeoverManager, leafPaths, ownerOf, type PathSegment } from "./managed-fields.ts";

const IGNORED_TOP = new Set(["status"]);
const IGNORED_META = new Set(["resourceVersion", "generation", "managedFields", "creationTimestamp", "uid", "selfLink"]);

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `["${s}"]`)).join("");
}

function render(v: unknown): string {
  if (v === undefined) return "<absent>";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function isSecretValue(obj: KubeObject, path: readonly PathSegment[]): boolean {
  return obj.kind === "Secret" && (path[0] === "data" || path[0] === "stringData");
}

function diffLeaves(a: unknown, b: unknown, path: PathSegment[], out: PathSegment[][]): void {
  if (path.length === 1 && IGNORED_TOP.has(String(path[0]))) return;
  if (path.length === 2 && path[0] === "metadata" && IGNORED_META.has(String(path[1]))) return;
  const aObj = a !== null && typeof a === "object";
  const bObj = b !== null && typeof b === "object";
  if (aObj && bObj && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) diffLeaves(a[i], b[i], [...path, i], out);
    } else {
      const ka = a as Record<string, unknown>;
      const kb = b as Record<string, unknown>;
      for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) diffLeaves(ka[k], kb[k], [...path, k], out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

/**
 * Compares the object as it would be after our apply (`applied`, from a dry-run) with `live`, and adds fields
 * held by managers we take ownership back from that Git does not set (they will be removed).
 */
export function driftReport(applied: KubeObject, live: KubeObject, ourManager: string): FieldDrift[] {
  const paths: PathSegment[][] = [];
  diffLeaves(applied, live, [], paths);
  const seen = new Set(paths.map((p) => formatPath(p)));
  for (const e of live.metadata.managedFields ?? []) {
    if (!isTakeoverManager(e, ourManager)) continue;
    for (const p of leafPaths(e.fieldsV1, live)) {
      const key = formatPath(p);
      if (!p.length || seen.has(key)) continue;
      let cur: unknown = applied;
      for (const s of p) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[s] : undefined;
      if (cur === undefined) {
        paths.push(p);
        seen.add(key);
      }
    }
  }
  return paths.map((p) => {
    let lv: unknown = live;
    let dv: unknown = applied;
    for (const s of p) {
      lv = lv && typeof lv === "object" ? (lv as Record<string | number, unknown>)[s] : undefined;
      dv = dv && typeof dv === "object" ? (dv as Record<string | number, unknown>)[s] : undefined;
    }
    const owner = ownerOf(live, p);
    const masked = isSecretValue(live, p);
    return {
      path: formatPath(p),
      live: masked ? (lv === undefined ? "<absent>" : "<redacted>") : render(lv),
      desired: masked ? (dv === undefined ? "<absent>" : "<redacted>") : render(dv),
      manager: owner.manager,
      time: owner.time,
    };
  });
}
