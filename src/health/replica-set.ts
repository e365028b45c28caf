/** ReplicaSet health (kstatus replicasetConditions). */
import type { KubeObject } from "../core/object-ref.ts";
import { intField } from "./fields.ts";
import { conditionIs, readConditions } from "./read-conditions.ts";
import { current, inProgress, reasonAndMessage } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function replicaSetHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const failure = conditionIs(readConditions(obj), "ReplicaFailure", "True");
  // kstatus keeps this InProgress: the controller retries (quota, admission) and may still succeed.
  if (failure) return inProgress(ctx, `replica failure: ${reasonAndMessage(failure.reason, failure.message) || "ReplicaFailure=True"}`);

  const spec = intField(obj, ["spec", "replicas"], 1);
  const replicas = intField(obj, ["status", "replicas"], 0);
  const ready = intField(obj, ["status", "readyReplicas"], 0);
  const available = intField(obj, ["status", "availableReplicas"], 0);
  const labeled = intField(obj, ["status", "fullyLabeledReplicas"], 0);

  if (spec > labeled) return inProgress(ctx, `${labeled} of ${spec} replicas fully labeled`);
  if (spec > available) return inProgress(ctx, `${available} of ${spec} replicas available`);
  if (spec > ready) return inProgress(ctx, `${ready} of ${spec} replicas ready`);
  if (replicas > spec) return inProgress(ctx, `${replicas - spec} extra replicas pending termination`);
  return current(ctx, `${available} of ${spec} replicas available`);
}
