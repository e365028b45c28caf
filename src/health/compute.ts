/** computeHealth: generic rules first, then the kind's rule, then the Ready-condition fallback. Pure. */
import { describeObject, groupOf } from "../core/object-ref.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { fallbackRule, generationRule, standardConditionsRule, terminatingRule } from "./generic.ts";
import { result } from "./result.ts";
import { ruleFor } from "./rules.ts";
import type { HealthOptions, HealthResult, RuleContext } from "./types.ts";

/** Pure: the health of one live object. */
export function computeHealth(obj: KubeObject, options: HealthOptions = {}): HealthResult {
  if (!isObjectLike(obj)) {
    return { status: "Unknown", message: "object: not a Kubernetes object (missing apiVersion, kind or metadata)" };
  }
  const ctx: RuleContext = { subject: describeObject(obj), now: options.now };
  return (
    terminatingRule(obj, ctx) ??
    generationRule(obj, ctx) ??
    standardConditionsRule(obj, ctx) ??
    (ruleFor(groupOf(obj.apiVersion), obj.kind) ?? fallbackRule)(obj, ctx)
  );
}

/** The result for an object that the cluster does not have (the caller found it missing). */
export function notFoundHealth(subject: string): HealthResult {
  return result("NotFound", { subject, now: undefined }, "not found");
}

function isObjectLike(obj: unknown): obj is KubeObject {
  if (obj === null || typeof obj !== "object") return false;
  const o = obj as Record<string, unknown>;
  return typeof o["apiVersion"] === "string" && typeof o["kind"] === "string" && o["metadata"] !== null && typeof o["metadata"] === "object";
}
