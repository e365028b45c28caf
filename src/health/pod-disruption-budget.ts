/**
 * PodDisruptionBudget health (kstatus pdbConditions): once the disruption controller has observed the
 * latest generation (checked by the generic rules) it has computed the allowed disruptions.
 */
import type { KubeObject } from "../core/object-ref.ts";
import { optionalInt } from "./fields.ts";
import { current } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function podDisruptionBudgetHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const allowed = optionalInt(obj, ["status", "disruptionsAllowed"]);
  return current(ctx, allowed === undefined ? "allowed disruptions computed" : `${allowed} disruptions allowed`);
}
