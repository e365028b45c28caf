import type { ConditionReason } from "./flux-api.ts";

export type ConditionType = "Ready" | "Reconciling" | "Stalled" | "Healthy" | "ArtifactInStorage" | "FetchFailed";

export interface Condition {
  type: ConditionType;
  status: "True" | "False" | "Unknown";
  reason: ConditionReason;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. Pure. */
export function setCondition(list: readonly Condition[], next: Omit<Condition, "lastTransitionTime">, now: Date): Condition[] {
  const prev = list.find((c) => c.type === next.type);
  const lastTransitionTime = prev && prev.status === next.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, "Z");
  const out = list.filter((c) => c.type !== next.type);
  out.push({ ...next, lastTransitionTime });
  const order: ConditionType[] = ["Ready", "Reconciling", "Stalled", "Healthy", "ArtifactInStorage", "FetchFailed"];
  out.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  return out;
}

export function removeCondition(list: readonly Condition[], type: ConditionType): Condition[] {
  return list.filter((c) => c.type !== type);
}
