/** DaemonSet health (kstatus daemonsetConditions). */
import type { KubeObject } from "../core/object-ref.ts";
import { intField, optionalInt } from "./fields.ts";
import { current, inProgress } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function daemonSetHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  // The controller always sets both once it has acted, so their absence means "not yet observed".
  if (optionalInt(obj, ["metadata", "generation"]) === undefined) return inProgress(ctx, "metadata.generation not set yet");
  if (optionalInt(obj, ["status", "observedGeneration"]) === undefined) return inProgress(ctx, "status.observedGeneration not set yet");

  const desired = optionalInt(obj, ["status", "desiredNumberScheduled"]);
  if (desired === undefined) return inProgress(ctx, "status.desiredNumberScheduled not set yet");
  const scheduled = intField(obj, ["status", "currentNumberScheduled"], 0);
  const updated = intField(obj, ["status", "updatedNumberScheduled"], 0);
  const available = intField(obj, ["status", "numberAvailable"], 0);
  const ready = intField(obj, ["status", "numberReady"], 0);

  if (desired > scheduled) return inProgress(ctx, `${scheduled} of ${desired} pods scheduled`);
  if (desired > updated) return inProgress(ctx, `${updated} of ${desired} pods updated`);
  if (desired > available) return inProgress(ctx, `${available} of ${desired} pods available`);
  if (desired > ready) return inProgress(ctx, `${ready} of ${desired} pods ready`);
  return current(ctx, `${available} of ${desired} pods available`);
}
