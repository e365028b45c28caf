/** Create-or-update of host objects (CRDs, the bootstrap namespace, source, Kustomization, credentials). Writes only when different. */
import type { KubeClient } from "../kube/client.ts";
import { hasCondition, waitForObject } from "../kube/wait.ts";
import { FIELD_MANAGER } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { judgeLive } from "../plan/compare.ts";

export async function ensureObject(kube: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const live = await kube.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "");
  if (live && judgeLive(obj, live, FIELD_MANAGER) === "unchanged") return live;
  return kube.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
}

/** Installs CRDs that are missing (never replaces one already installed, e.g. by Flux) and waits until established. */
export async function ensureCrds(kube: KubeClient, crds: readonly KubeObject[]): Promise<void> {
  let installed = false;
  for (const crd of crds) {
    const live = await kube.get(crd.apiVersion, crd.kind, undefined, crd.metadata.name ?? "");
    if (live) continue;
    await kube.apply(crd, { fieldManager: FIELD_MANAGER, force: true });
    await waitForObject(kube, crd.apiVersion, crd.kind, undefined, crd.metadata.name ?? "", (o) => hasCondition(o, "Established"), { timeoutMs: 60_000 });
    installed = true;
  }
  if (installed) kube.mapper.invalidate();
}
