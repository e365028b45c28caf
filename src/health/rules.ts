/** Kind-specific rules, looked up by group and kind (kstatus legacyTypes). */
import { customResourceDefinitionHealth } from "./custom-resource-definition.ts";
import { daemonSetHealth } from "./daemon-set.ts";
import { deploymentHealth } from "./deployment.ts";
import { fluxHealth, isFluxGroup } from "./flux.ts";
import { jobHealth } from "./job.ts";
import { namespaceHealth } from "./namespace.ts";
import { persistentVolumeClaimHealth } from "./persistent-volume-claim.ts";
import { podDisruptionBudgetHealth } from "./pod-disruption-budget.ts";
import { podHealth } from "./pod.ts";
import { replicaSetHealth } from "./replica-set.ts";
import { current } from "./result.ts";
import { serviceHealth } from "./service.ts";
import { statefulSetHealth } from "./stateful-set.ts";
import type { KindRule } from "./types.ts";

const alwaysCurrent: KindRule = (_obj, ctx) => current(ctx, "always ready once it exists");

/** Keyed by `group/kind`, or just `kind` for the core group. */
const RULES: ReadonlyMap<string, KindRule> = new Map<string, KindRule>([
  ["Pod", podHealth],
  ["Service", serviceHealth],
  ["PersistentVolumeClaim", persistentVolumeClaimHealth],
  ["Namespace", namespaceHealth],
  ["ConfigMap", alwaysCurrent],
  ["Secret", alwaysCurrent],
  ["apps/Deployment", deploymentHealth],
  ["extensions/Deployment", deploymentHealth],
  ["apps/StatefulSet", statefulSetHealth],
  ["apps/DaemonSet", daemonSetHealth],
  ["extensions/DaemonSet", daemonSetHealth],
  ["apps/ReplicaSet", replicaSetHealth],
  ["extensions/ReplicaSet", replicaSetHealth],
  ["batch/Job", jobHealth],
  ["batch/CronJob", alwaysCurrent],
  ["policy/PodDisruptionBudget", podDisruptionBudgetHealth],
  ["apiextensions.k8s.io/CustomResourceDefinition", customResourceDefinitionHealth],
]);

/** The rule for a group and kind, or undefined when only the generic rules apply. */
export function ruleFor(group: string, kind: string): KindRule | undefined {
  const rule = RULES.get(group === "" ? kind : `${group}/${kind}`);
  if (rule) return rule;
  return isFluxGroup(group) ? fluxHealth : undefined;
}
