/** CustomResourceDefinition health (kstatus crdConditions). */
import type { KubeObject } from "../core/object-ref.ts";
import { readConditions } from "./read-conditions.ts";
import { current, failed, inProgress, reasonAndMessage } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function customResourceDefinitionHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  for (const c of readConditions(obj)) {
    if (c.type === "NamesAccepted" && c.status === "False") {
      return failed(ctx, `names not accepted: ${reasonAndMessage(c.reason, c.message) || "NamesAccepted=False"}`);
    }
    if (c.type === "Established") {
      if (c.status === "False" && c.reason !== "Installing") {
        return failed(ctx, `not established: ${reasonAndMessage(c.reason, c.message) || "Established=False"}`);
      }
      if (c.status === "True") return current(ctx, "Established");
    }
  }
  return inProgress(ctx, "Installing: waiting for the Established condition");
}
