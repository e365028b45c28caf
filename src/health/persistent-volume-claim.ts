/** PersistentVolumeClaim health (kstatus pvcConditions), plus phase Lost → Failed. */
import type { KubeObject } from "../core/object-ref.ts";
import { stringField } from "./fields.ts";
import { current, failed, inProgress } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function persistentVolumeClaimHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const phase = stringField(obj, ["status", "phase"], "");
  if (phase === "Bound") {
    const volume = stringField(obj, ["spec", "volumeName"], "");
    return current(ctx, volume ? `Bound to ${volume}` : "Bound");
  }
  // Lost is terminal: the bound volume is gone and the claim will not recover by itself.
  if (phase === "Lost") return failed(ctx, "Lost: its PersistentVolume no longer exists");
  return inProgress(ctx, `not Bound (phase ${phase || "unset"})`);
}
