/** Apply stages and kind order, pure. Stage 1: CRDs, Namespaces, ClusterRoles; stage 2: `*Class` kinds; stage 3: the rest. */
import type { KubeObject } from "../core/object-ref.ts";

export type StageName = "definitions" | "classes" | "resources";

const FIRST = new Set(["CustomResourceDefinition", "Namespace", "ClusterRole"]);

/** The order kinds are applied in within the last stage (unknown kinds, such as custom resources, come last). */
const KIND_ORDER = [
  "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
  "ConfigMap", "PersistentVolume", "PersistentVolumeClaim", "ClusterRoleBinding", "ClusterRoleBindingList", "Role",
  "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet",
  "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "Ingress", "APIService",
  "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
];

export function stageOf(obj: KubeObject): StageName {
  if (FIRST.has(obj.kind)) return "definitions";
  if (obj.kind.endsWith("Class")) return "classes";
  return "resources";
}

export function kindRank(kind: string): number {
  if (kind === "CustomResourceDefinition") return -3;
  if (kind === "Namespace") return -2;
  if (kind === "ClusterRole") return -1;
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

export function compareForApply(a: KubeObject, b: KubeObject): number {
  return kindRank(a.kind) - kindRank(b.kind)
    || (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "")
    || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

export interface Stage {
  name: StageName;
  objects: KubeObject[];
}

export function planStages(objects: readonly KubeObject[]): Stage[] {
  const names: StageName[] = ["definitions", "classes", "resources"];
  return names
    .map((name) => ({ name, objects: objects.filter((o) => stageOf(o) === name).sort(compareForApply) }))
    .filter((s) => s.objects.length > 0);
}

/** Prune order: the reverse of apply order (custom resources first, namespaces and CRDs last). */
export function compareForPrune(a: { kind: string }, b: { kind: string }): number {
  return kindRank(b.kind) - kindRank(a.kind);
}
