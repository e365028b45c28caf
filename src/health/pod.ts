/** Pod health (kstatus podConditions). */
import type { KubeObject } from "../core/object-ref.ts";
import { arrayField, field, stringField } from "./fields.ts";
import { conditionIs, readConditions } from "./read-conditions.ts";
import { current, failed, inProgress, reasonAndMessage, result } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

/** How long a Pod may be Unschedulable before that counts as Failed (kstatus ScheduleWindow). */
export const SCHEDULE_WINDOW_MS = 15_000;

/** Names of containers whose waiting reason is CrashLoopBackOff, from the given status list. */
function crashLooping(obj: KubeObject, list: "containerStatuses" | "initContainerStatuses"): string[] {
  const names: string[] = [];
  for (const cs of arrayField(obj, ["status", list])) {
    const name = field(cs, ["name"]);
    if (typeof name === "string" && field(cs, ["state", "waiting", "reason"]) === "CrashLoopBackOff") names.push(name);
  }
  return names;
}

export function podHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const conditions = readConditions(obj);
  const phase = stringField(obj, ["status", "phase"], "");
  switch (phase) {
    case "Succeeded":
      return current(ctx, "completed (phase Succeeded)");
    case "Failed":
      // kstatus: a Pod that ran to completion is Current even when it did not succeed.
      return current(ctx, `completed unsuccessfully (phase Failed${reasonSuffix(obj)})`);
    case "Running": {
      if (conditionIs(conditions, "Ready", "True")) return current(ctx, "running and Ready");
      const looping = crashLooping(obj, "containerStatuses");
      if (looping.length) return failed(ctx, `CrashLoopBackOff in container ${looping.join(", ")}`);
      return inProgress(ctx, "running but not Ready");
    }
    case "Pending": {
      const looping = crashLooping(obj, "initContainerStatuses");
      if (looping.length) return failed(ctx, `CrashLoopBackOff in init container ${looping.join(", ")}`);
      const sched = conditionIs(conditions, "PodScheduled", "False");
      if (sched && sched.reason === "Unschedulable") {
        const detail = reasonAndMessage(sched.reason, sched.message);
        if (ctx.now === undefined || withinScheduleWindow(obj, ctx.now)) return inProgress(ctx, `not scheduled yet: ${detail}`);
        return failed(ctx, `cannot be scheduled: ${detail}`);
      }
      return inProgress(ctx, "Pending");
    }
    case "":
      return inProgress(ctx, "no phase reported yet");
    default:
      return result("Unknown", ctx, `unknown phase ${JSON.stringify(phase)}`);
  }
}

function reasonSuffix(obj: KubeObject): string {
  const reason = stringField(obj, ["status", "reason"], "");
  return reason ? `: ${reason}` : "";
}

function withinScheduleWindow(obj: KubeObject, now: Date): boolean {
  const created = Date.parse(obj.metadata.creationTimestamp ?? "");
  if (Number.isNaN(created)) return false;
  return now.getTime() - created < SCHEDULE_WINDOW_MS;
}
