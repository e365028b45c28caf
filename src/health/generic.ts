/**
 * Rules that apply to every kind, checked before any kind-specific rule (kstatus checkGenericProperties),
 * and the fallback for kinds without a specific rule.
 */
import type { KubeObject } from "../core/object-ref.ts";
import { hasStatus, optionalInt } from "./fields.ts";
import { conditionIs, findCondition, readConditions } from "./read-conditions.ts";
import { current, failed, inProgress, reasonAndMessage, result } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

/** Terminating when a deletionTimestamp is set, whatever the kind. */
export function terminatingRule(obj: KubeObject, ctx: RuleContext): HealthResult | undefined {
  const ts = obj.metadata.deletionTimestamp;
  if (typeof ts !== "string" || ts === "") return undefined;
  const finalizers = obj.metadata["finalizers"];
  const names = Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === "string") : [];
  const waiting = names.length ? ` (waiting for finalizers: ${names.join(", ")})` : "";
  return result("Terminating", ctx, `being deleted since ${ts}${waiting}`);
}

/** InProgress while the controller has not yet observed the latest spec. Skipped when either field is absent. */
export function generationRule(obj: KubeObject, ctx: RuleContext): HealthResult | undefined {
  const generation = optionalInt(obj, ["metadata", "generation"]);
  const observed = optionalInt(obj, ["status", "observedGeneration"]);
  if (generation === undefined || observed === undefined || observed === generation) return undefined;
  return inProgress(ctx, `generation ${generation} not yet observed (observedGeneration ${observed})`);
}

/**
 * kstatus standard conditions: `Stalled` True → Failed, `Reconciling` True → InProgress.
 * When both are True, Stalled wins (kstatus takes whichever comes first in the list; this is order-independent).
 */
export function standardConditionsRule(obj: KubeObject, ctx: RuleContext): HealthResult | undefined {
  const conditions = readConditions(obj);
  const stalled = conditionIs(conditions, "Stalled", "True");
  if (stalled) return failed(ctx, `stalled: ${reasonAndMessage(stalled.reason, stalled.message) || "Stalled=True"}`);
  const reconciling = conditionIs(conditions, "Reconciling", "True");
  if (reconciling) return inProgress(ctx, `reconciling: ${reasonAndMessage(reconciling.reason, reconciling.message) || "Reconciling=True"}`);
  return undefined;
}

/**
 * Fallback for kinds without a rule: a `Ready` condition decides (False or Unknown → InProgress,
 * since a Stalled condition would already have decided Failed); without one the object is Current.
 */
export function fallbackRule(obj: KubeObject, ctx: RuleContext): HealthResult {
  const ready = findCondition(readConditions(obj), "Ready");
  if (ready) {
    if (ready.status === "True") return current(ctx, "Ready");
    const why = reasonAndMessage(ready.reason, ready.message);
    return inProgress(ctx, `not Ready (Ready=${ready.status}${why ? `: ${why}` : ""})`);
  }
  return current(ctx, hasStatus(obj) ? "no conditions to wait for" : "no status to wait for");
}
