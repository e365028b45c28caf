/** Namespace health: phase Terminating → Terminating, otherwise Current. */
import type { KubeObject } from "../core/object-ref.ts";
import { stringField } from "./fields.ts";
import { current, result } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function namespaceHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const phase = stringField(obj, ["status", "phase"], "");
  if (phase === "Terminating") return result("Terminating", ctx, "phase Terminating");
  return current(ctx, phase ? `phase ${phase}` : "no phase reported (treated as Active)");
}
