/** Moves fields held by kubectl-style managers into our Apply entry, so the next apply removes what Git does not set. Pure. */
import type { KubeObject, ManagedFieldsEntry } from "../core/object-ref.ts";
import { isTakeoverManager, splitRequestFields } from "../plan/managed-fields.ts";

function mergeFields(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = k in out && out[k] && typeof out[k] === "object" && v && typeof v === "object" ? mergeFields(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Returns the new managedFields list, or undefined when no entry needs taking over. */
export function takeOverManagedFields(live: KubeObject, manager: string): ManagedFieldsEntry[] | undefined {
  const entries = live.metadata.managedFields ?? [];
  const foreign = entries.filter((e) => isTakeoverManager(e, manager));
  if (!foreign.length) return undefined;
  const keep = entries.filter((e) => !isTakeoverManager(e, manager));
  const ours = keep.find((e) => e.manager === manager && e.operation === "Apply" && !e.subresource);
  const merged = foreign.reduce((acc, e) => mergeFields(acc, splitRequestFields(e.fieldsV1).rest), ours?.fieldsV1 ?? {});
  // a pending reconcile request stays with whoever made it
  for (const e of foreign) {
    const { request } = splitRequestFields(e.fieldsV1);
    if (request) keep.push({ ...e, fieldsV1: request });
  }
  const entry: ManagedFieldsEntry = { manager, operation: "Apply", apiVersion: live.apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), fieldsType: "FieldsV1", fieldsV1: merged };
  return ours ? keep.map((e) => (e === ours ? entry : e)) : [...keep, entry];
}
