/** Service health: a LoadBalancer Service needs an ingress IP or hostname; every other type is Current. */
import type { KubeObject } from "../core/object-ref.ts";
import { arrayField, field, stringField } from "./fields.ts";
import { current, inProgress } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function serviceHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const type = stringField(obj, ["spec", "type"], "ClusterIP");
  if (type !== "LoadBalancer") return current(ctx, `type ${type}`);
  const addresses: string[] = [];
  for (const ing of arrayField(obj, ["status", "loadBalancer", "ingress"])) {
    const addr = field(ing, ["ip"]) ?? field(ing, ["hostname"]);
    if (typeof addr === "string" && addr !== "") addresses.push(addr);
  }
  if (!addresses.length) return inProgress(ctx, "waiting for a load balancer ingress IP or hostname");
  return current(ctx, `load balancer ingress ${addresses.join(", ")}`);
}
