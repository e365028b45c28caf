/**
 * Job health. Follows Flux's kustomize-controller job reader rather than plain kstatus:
 * a running Job is InProgress until it completes (kstatus would call it Current once started).
 */
import type { KubeObject } from "../core/object-ref.ts";
import { intField, stringField } from "./fields.ts";
import { readConditions } from "./read-conditions.ts";
import { current, failed, inProgress, reasonAndMessage } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function jobHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const parallelism = intField(obj, ["spec", "parallelism"], 1);
  const completions = intField(obj, ["spec", "completions"], parallelism);
  const succeeded = intField(obj, ["status", "succeeded"], 0);
  const active = intField(obj, ["status", "active"], 0);
  const failedPods = intField(obj, ["status", "failed"], 0);

  for (const c of readConditions(obj)) {
    if (c.status !== "True") continue;
    if (c.type === "Failed") return failed(ctx, `failed: ${reasonAndMessage(c.reason, c.message) || `${failedPods} pods failed`}`);
    if (c.type === "Complete") return current(ctx, `complete: ${succeeded} of ${completions} succeeded`);
    if (c.type === "Suspended") return current(ctx, "suspended");
  }
  if (stringField(obj, ["status", "startTime"], "") === "") return inProgress(ctx, "not started yet");
  return inProgress(ctx, `running: ${active} active, ${succeeded} of ${completions} succeeded, ${failedPods} failed`);
}
