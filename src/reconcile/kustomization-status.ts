/** Builds a Kustomization's status from a reconcile outcome, in Flux's format. Pure. */
import { createHash } from "node:crypto";
import type { HistoryEntry, KustomizationStatus } from "../core/api-types.ts";
import { removeCondition, setCondition } from "../core/conditions.ts";
import type { ConditionReason } from "../core/flux-api.ts";
import type { Inventory } from "../core/inventory.ts";

export interface Outcome {
  ready: boolean;
  reason: ConditionReason;
  message: string;
  revision: string | undefined;
  inventory: Inventory | undefined;
  healthChecked: boolean;
  changed: boolean;
  durationMs: number;
  generation: number | undefined;
  requestedAt: string | undefined;
}

export function nextStatus(prev: KustomizationStatus, o: Outcome, now: Date): KustomizationStatus {
  let conditions = setCondition(prev.conditions ?? [], { type: "Ready", status: o.ready ? "True" : "False", reason: o.reason, message: o.message }, now);
  conditions = removeCondition(conditions, "Reconciling");
  conditions = removeCondition(conditions, "Stalled");
  if (o.healthChecked || o.reason === "HealthCheckFailed") {
    conditions = setCondition(conditions, { type: "Healthy", status: o.reason === "HealthCheckFailed" ? "False" : o.ready ? "True" : "Unknown", reason: o.reason === "HealthCheckFailed" ? "HealthCheckFailed" : o.ready ? "Succeeded" : "Progressing", message: o.reason === "HealthCheckFailed" ? o.message : o.ready ? "Health check passed" : "not checked" }, now);
  }
  const status: KustomizationStatus = { ...prev, conditions };
  if (o.generation !== undefined) status.observedGeneration = o.generation;
  if (o.revision) status.lastAttemptedRevision = o.revision;
  if (o.ready && o.revision) status.lastAppliedRevision = o.revision;
  if (o.inventory) status.inventory = o.inventory;
  if (o.requestedAt) status.lastHandledReconcileAt = o.requestedAt;
  const digest = `sha256:${createHash("sha256").update(JSON.stringify([o.revision, o.inventory?.entries ?? []])).digest("hex")}`;
  const history = [...(prev.history ?? [])];
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z");
  const statusWord = o.ready ? "True" : "False";
  const head = history[0];
  if (head && head.digest === digest && head.lastReconciledStatus === statusWord) {
    if (o.changed) history[0] = { ...head, lastReconciled: stamp, lastReconciledDuration: `${(o.durationMs / 1000).toFixed(3)}s`, totalReconciliations: head.totalReconciliations + 1 };
  } else {
    const entry: HistoryEntry = { digest, firstReconciled: stamp, lastReconciled: stamp, lastReconciledDuration: `${(o.durationMs / 1000).toFixed(3)}s`, lastReconciledStatus: statusWord, totalReconciliations: 1, ...(o.revision ? { metadata: { revision: o.revision } } : {}) };
    history.unshift(entry);
  }
  status.history = history.slice(0, 5);
  return status;
}

/** Status equal apart from nothing: skip the write (a no-op reconcile sends no writes). */
export function sameStatus(a: KustomizationStatus, b: KustomizationStatus): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted, so key order from the API server does not count as a change. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}
