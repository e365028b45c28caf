/**
 * What "nothing changed" means for a failed sync: every object carrying our owner labels
 * (kustomize.toolkit.fluxcd.io/namespace=<ns>) keeps its uid and resourceVersion. Objects whose status others
 * write (a Kustomization's and GitRepository's by Plumbline on every run, a Deployment's and an HPA's by the
 * controller manager) keep their uid, metadata.generation and Plumbline's own managedFields entry instead.
 */
import assert from "node:assert/strict";
import { FIELD_MANAGER, GIT_REPOSITORY_API_VERSION, KUSTOMIZATION_API_VERSION, OWNER_NAMESPACE_LABEL } from "../../../src/core/flux-api.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import type { KubeClient } from "../../../src/kube/client.ts";

/** The kinds fixtures use; listed cluster-wide with the owner label. */
export const MANAGED_KINDS: readonly (readonly [string, string])[] = [
  ["v1", "Namespace"],
  ["v1", "ConfigMap"],
  ["v1", "Secret"],
  ["v1", "Service"],
  ["v1", "ServiceAccount"],
  ["apps/v1", "Deployment"],
  ["autoscaling/v1", "HorizontalPodAutoscaler"],
  ["rbac.authorization.k8s.io/v1", "Role"],
  ["rbac.authorization.k8s.io/v1", "RoleBinding"],
  ["rbac.authorization.k8s.io/v1", "ClusterRole"],
  ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
  [KUSTOMIZATION_API_VERSION, "Kustomization"],
  [GIT_REPOSITORY_API_VERSION, "GitRepository"],
];

const STATUS_KINDS = new Set(["Kustomization", "GitRepository", "Deployment", "HorizontalPodAutoscaler"]);

/** When Plumbline last wrote the object outside its status (managedFields, one-second resolution). */
function ourWrite(o: KubeObject): string {
  return (o.metadata.managedFields ?? []).filter((f) => f.manager === FIELD_MANAGER && !f.subresource).map((f) => `${f.operation}@${f.time}`).join(",");
}

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped) -> `uid rv=...` / `uid generation=... plumbline=...`. */
export type ManagedSnapshot = Map<string, string>;

export async function managedSnapshot(kube: KubeClient, ownerNamespace: string): Promise<ManagedSnapshot> {
  const snap: ManagedSnapshot = new Map();
  const lists = await Promise.all(MANAGED_KINDS.map(([apiVersion, kind]) => kube.list(apiVersion, kind, { labelSelector: `${OWNER_NAMESPACE_LABEL}=${ownerNamespace}` })));
  for (const list of lists) {
    for (const o of list.items) {
      const id = [o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join("/");
      snap.set(id, STATUS_KINDS.has(o.kind) ? `${o.metadata.uid} generation=${String(o.metadata.generation)} plumbline=${ourWrite(o)}` : `${o.metadata.uid} rv=${o.metadata.resourceVersion}`);
    }
  }
  return snap;
}

/** Lists what was created, deleted or written between two snapshots, ignoring the ids in `mayChange`. */
export function snapshotChanges(before: ManagedSnapshot, after: ManagedSnapshot, mayChange: readonly string[] = []): string[] {
  const changes: string[] = [];
  for (const [id, v] of before) {
    if (mayChange.includes(id)) continue;
    const now = after.get(id);
    if (now === undefined) changes.push(`deleted ${id}`);
    else if (now !== v) changes.push(`${now.split(" ")[0] === v.split(" ")[0] ? "written" : "replaced"} ${id} (${v} -> ${now})`);
  }
  for (const id of after.keys()) if (!before.has(id) && !mayChange.includes(id)) changes.push(`created ${id}`);
  return changes;
}

export function assertUnchanged(before: ManagedSnapshot, after: ManagedSnapshot, what: string, mayChange: readonly string[] = []): void {
  assert.ok(before.size > 0, `${what}: the snapshot holds no managed object (wrong owner label?)`);
  assert.deepEqual(snapshotChanges(before, after, mayChange), [], `${what}: managed objects changed`);
}
