/** Per-object annotations that change how an object is applied or pruned (Flux's names). Pure. */
import { FORCE_ANNOTATION, PRUNE_ANNOTATION, RECONCILE_ANNOTATION, SSA_ANNOTATION } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";

export type SsaMode = "Override" | "Merge" | "IfNotPresent" | "Ignore";

export interface ObjectPolicy {
  reconcileDisabled: boolean;
  ssa: SsaMode;
  pruneDisabled: boolean;
  force: boolean;
}

export function policyOf(obj: KubeObject | undefined): ObjectPolicy {
  const a = obj?.metadata.annotations ?? {};
  const ssaRaw = (a[SSA_ANNOTATION] ?? "").toLowerCase();
  const ssa: SsaMode = ssaRaw === "merge" ? "Merge" : ssaRaw === "ifnotpresent" ? "IfNotPresent" : ssaRaw === "ignore" ? "Ignore" : "Override";
  return {
    reconcileDisabled: (a[RECONCILE_ANNOTATION] ?? "").toLowerCase() === "disabled",
    ssa,
    pruneDisabled: (a[PRUNE_ANNOTATION] ?? "").toLowerCase() === "disabled",
    force: (a[FORCE_ANNOTATION] ?? "").toLowerCase() === "enabled",
  };
}
