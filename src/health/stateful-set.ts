/**
 * StatefulSet health (kstatus stsConditions). The controller sets no conditions, so only counts and
 * revisions tell; a rollout that stops making progress stays InProgress, never Failed.
 */
import type { KubeObject } from "../core/object-ref.ts";
import { intField, optionalInt, stringField } from "./fields.ts";
import { current, inProgress } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function statefulSetHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  if (stringField(obj, ["spec", "updateStrategy", "type"], "") === "OnDelete") {
    return current(ctx, "uses the OnDelete update strategy; pods are replaced by the user");
  }
  const spec = intField(obj, ["spec", "replicas"], 1);
  const replicas = intField(obj, ["status", "replicas"], 0);
  const ready = intField(obj, ["status", "readyReplicas"], 0);
  const currentReplicas = intField(obj, ["status", "currentReplicas"], 0);
  const updated = intField(obj, ["status", "updatedReplicas"], 0);
  const partition = optionalInt(obj, ["spec", "updateStrategy", "rollingUpdate", "partition"]);

  if (spec > replicas) return inProgress(ctx, `${replicas} of ${spec} replicas created`);
  if (spec > ready) return inProgress(ctx, `${ready} of ${spec} replicas ready`);
  if (replicas > spec) return inProgress(ctx, `${replicas - spec} extra replicas pending termination`);

  if (partition !== undefined) {
    const want = Math.max(spec - partition, 0);
    if (updated < want) return inProgress(ctx, `partitioned rollout: ${updated} of ${want} replicas updated (partition ${partition})`);
    return current(ctx, `partitioned rollout complete: ${updated} replicas updated (partition ${partition})`);
  }

  if (spec > currentReplicas) return inProgress(ctx, `${currentReplicas} of ${spec} replicas at the current revision`);
  const currentRevision = stringField(obj, ["status", "currentRevision"], "");
  const updateRevision = stringField(obj, ["status", "updateRevision"], "");
  if (currentRevision !== updateRevision) {
    return inProgress(ctx, `rolling out revision ${updateRevision || "(unset)"} (currentRevision ${currentRevision || "(unset)"})`);
  }
  return current(ctx, `${ready} of ${spec} replicas ready at revision ${currentRevision || "(unset)"}`);
}
