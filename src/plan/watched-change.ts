/** Which watch events can be drift. Pure. */
import { REQUESTED_AT_ANNOTATION } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";

/**
 * Did a watched object change in a way a reconcile might have to correct? An update that leaves generation, labels
 * and annotations as they were only touched status (a child Kustomization's status patch, a Deployment's rollout
 * progress), so it is not drift. Kinds without a generation (ConfigMap, Secret, Service...) count every update.
 */
export function isDesiredStateChange(known: KubeObject, next: KubeObject): boolean {
  if (known.metadata.resourceVersion === next.metadata.resourceVersion) return false;
  const g0 = known.metadata.generation;
  const g1 = next.metadata.generation;
  if (g0 === undefined || g1 === undefined || g0 !== g1) return true;
  return !sameMap(known.metadata.labels, next.metadata.labels) || !sameMap(withoutRequest(known.metadata.annotations), withoutRequest(next.metadata.annotations));
}

/** A reconcile request on a child (`flux reconcile`) is that child's business, not drift of its parent. */
function withoutRequest(a: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a || !(REQUESTED_AT_ANNOTATION in a)) return a;
  const { [REQUESTED_AT_ANNOTATION]: _request, ...rest } = a;
  return rest;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => (a ?? {})[k] === (b ?? {})[k]);
}
