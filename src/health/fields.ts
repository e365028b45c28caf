/** Tolerant readers for fields of an unstructured object: wrong types count as missing. */
import type { KubeObject } from "../core/object-ref.ts";

export function field(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** An integer field, or `fallback` when absent or not an integer. */
export function intField(obj: KubeObject, path: readonly string[], fallback: number): number {
  const v = field(obj, path);
  return typeof v === "number" && Number.isInteger(v) ? v : fallback;
}

export function optionalInt(obj: KubeObject, path: readonly string[]): number | undefined {
  const v = field(obj, path);
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

export function stringField(obj: KubeObject, path: readonly string[], fallback: string): string {
  const v = field(obj, path);
  return typeof v === "string" ? v : fallback;
}

export function arrayField(obj: unknown, path: readonly string[]): unknown[] {
  const v = field(obj, path);
  return Array.isArray(v) ? v : [];
}

export function hasStatus(obj: KubeObject): boolean {
  const s = obj["status"];
  return s !== null && typeof s === "object" && !Array.isArray(s) && Object.keys(s).length > 0;
}
