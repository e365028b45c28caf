/** Deployment health (kstatus deploymentConditions). */
import type { KubeObject } from "../core/object-ref.ts";
import { intField, optionalInt } from "./fields.ts";
import { readConditions } from "./read-conditions.ts";
import { current, failed, inProgress, reasonAndMessage } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

/** The controller treats MaxInt32 as "no progress deadline" and then never sets Progressing. */
const NO_DEADLINE = 2147483647;

export function deploymentHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const deadline = optionalInt(obj, ["spec", "progressDeadlineSeconds"]) ?? NO_DEADLINE;
  let progressed = deadline === NO_DEADLINE;
  let available = false;
  for (const c of readConditions(obj)) {
    if (c.type === "Progressing") {
      if (c.reason === "ProgressDeadlineExceeded") return failed(ctx, `rollout failed: ${reasonAndMessage(c.reason, c.message)}`);
      if (c.status === "True" && c.reason === "NewReplicaSetAvailable") progressed = true;
    } else if (c.type === "Available" && c.status === "True") {
      available = true;
    }
  }

  const spec = intField(obj, ["spec", "replicas"], 1);
  const replicas = intField(obj, ["status", "replicas"], 0);
  const updated = intField(obj, ["status", "updatedReplicas"], 0);
  const ready = intField(obj, ["status", "readyReplicas"], 0);
  const availableReplicas = intField(obj, ["status", "availableReplicas"], 0);

  if (spec > replicas) return inProgress(ctx, `${replicas} of ${spec} replicas created`);
  if (spec > updated) return inProgress(ctx, `${updated} of ${spec} replicas updated`);
  if (replicas > spec) return inProgress(ctx, `${replicas - spec} old replicas pending termination`);
  if (updated > availableReplicas) return inProgress(ctx, `${availableReplicas} of ${updated} replicas available`);
  if (spec > ready) return inProgress(ctx, `${ready} of ${spec} replicas ready`);
  if (!progressed) return inProgress(ctx, "new ReplicaSet not yet available (Progressing reason is not NewReplicaSetAvailable)");
  if (!available) return inProgress(ctx, "Available condition is not True");
  return current(ctx, `${availableReplicas} of ${spec} replicas available`);
}
