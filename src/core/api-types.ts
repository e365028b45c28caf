/** Flux v1 spec shapes Plumbline reads (GitRepository, Kustomization). */
import type { Condition } from "./conditions.ts";
import type { Inventory } from "./inventory.ts";

export interface LocalObjectReference { name: string }

export interface GitRepositoryRef {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
}

export interface GitRepositorySpec {
  url: string;
  ref?: GitRepositoryRef;
  interval: string;
  timeout?: string;
  secretRef?: LocalObjectReference;
  ignore?: string;
  suspend?: boolean;
}

export interface Artifact {
  path: string;
  url: string;
  revision: string;
  digest: string;
  lastUpdateTime: string;
  size?: number;
}

export interface GitRepositoryStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  artifact?: Artifact;
  lastHandledReconcileAt?: string;
}

export interface CrossNamespaceSourceReference { kind: string; name: string; namespace?: string; apiVersion?: string }
export interface DependencyReference { name: string; namespace?: string }
export interface SubstituteReference { kind: "ConfigMap" | "Secret"; name: string; optional?: boolean }
export interface HealthCheckReference { apiVersion?: string; kind: string; name: string; namespace?: string }
export interface PatchSpec { patch: string; target?: Record<string, unknown> }
export interface ImageSpec { name: string; newName?: string; newTag?: string; digest?: string }

export interface KustomizationSpec {
  sourceRef: CrossNamespaceSourceReference;
  path?: string;
  interval: string;
  retryInterval?: string;
  timeout?: string;
  prune: boolean;
  wait?: boolean;
  force?: boolean;
  suspend?: boolean;
  dependsOn?: DependencyReference[];
  targetNamespace?: string;
  namePrefix?: string;
  nameSuffix?: string;
  patches?: PatchSpec[];
  images?: ImageSpec[];
  components?: string[];
  commonMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  postBuild?: { substitute?: Record<string, string>; substituteFrom?: SubstituteReference[] };
  healthChecks?: HealthCheckReference[];
  decryption?: { provider: "sops"; secretRef?: LocalObjectReference };
  serviceAccountName?: string;
  deletionPolicy?: string;
}

export interface HistoryEntry {
  digest: string;
  firstReconciled: string;
  lastReconciled: string;
  lastReconciledDuration: string;
  lastReconciledStatus: string;
  totalReconciliations: number;
  metadata?: Record<string, string>;
}

export interface KustomizationStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastHandledReconcileAt?: string;
  inventory?: Inventory;
  history?: HistoryEntry[];
}
