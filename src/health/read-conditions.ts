/** Reads `status.conditions` of any object into a uniform shape. */
import type { KubeObject } from "../core/object-ref.ts";
import { arrayField } from "./fields.ts";

export interface LiveCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export function readConditions(obj: KubeObject): LiveCondition[] {
  const out: LiveCondition[] = [];
  for (const raw of arrayField(obj, ["status", "conditions"])) {
    if (raw === null || typeof raw !== "object") continue;
    const c = raw as Record<string, unknown>;
    if (typeof c["type"] !== "string") continue;
    out.push({
      type: c["type"],
      status: typeof c["status"] === "string" ? c["status"] : "Unknown",
      reason: typeof c["reason"] === "string" ? c["reason"] : "",
      message: typeof c["message"] === "string" ? c["message"] : "",
    });
  }
  return out;
}

export function findCondition(list: readonly LiveCondition[], type: string): LiveCondition | undefined {
  return list.find((c) => c.type === type);
}

export function conditionIs(list: readonly LiveCondition[], type: string, status: "True" | "False" | "Unknown"): LiveCondition | undefined {
  return list.find((c) => c.type === type && c.status === status);
}
