/**
 * Health of Flux objects (Kustomization, GitRepository, ...): they report through a `Ready` condition.
 * Stalled/Reconciling are handled by the generic rules before this runs.
 */
import type { KubeObject } from "../core/object-ref.ts";
import { optionalInt } from "./fields.ts";
import { findCondition, readConditions } from "./read-conditions.ts";
import { current, inProgress, reasonAndMessage } from "./result.ts";
import type { HealthResult, RuleContext } from "./types.ts";

export function isFluxGroup(group: string): boolean {
  return group.endsWith(".toolkit.fluxcd.io");
}

export function fluxHealth(obj: KubeObject, ctx: RuleContext): HealthResult {
  const generation = optionalInt(obj, ["metadata", "generation"]);
  const observed = optionalInt(obj, ["status", "observedGeneration"]);
  if (observed === undefined || (generation !== undefined && observed < generation)) {
    return inProgress(ctx, `generation ${generation ?? "?"} not yet reconciled (observedGeneration ${observed ?? "unset"})`);
  }
  const ready = findCondition(readConditions(obj), "Ready");
  if (!ready) return inProgress(ctx, "no Ready condition yet");
  const why = reasonAndMessage(ready.reason, ready.message);
  if (ready.status === "True") return current(ctx, `Ready${why ? `: ${why}` : ""}`);
  return inProgress(ctx, `not Ready (Ready=${ready.status}${why ? `: ${why}` : ""})`);
}
