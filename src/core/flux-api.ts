/** Names from Flux's v1 API that Plumbline reads and writes unchanged. */
export const SOURCE_GROUP = "source.toolkit.fluxcd.io";
export const KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
export const GIT_REPOSITORY_API_VERSION = `${SOURCE_GROUP}/v1`;
export const KUSTOMIZATION_API_VERSION = `${KUSTOMIZE_GROUP}/v1`;

export const OWNER_NAME_LABEL = `${KUSTOMIZE_GROUP}/name`;
export const OWNER_NAMESPACE_LABEL = `${KUSTOMIZE_GROUP}/namespace`;

export const RECONCILE_ANNOTATION = `${KUSTOMIZE_GROUP}/reconcile`;
export const PRUNE_ANNOTATION = `${KUSTOMIZE_GROUP}/prune`;
export const SSA_ANNOTATION = `${KUSTOMIZE_GROUP}/ssa`;
export const FORCE_ANNOTATION = `${KUSTOMIZE_GROUP}/force`;
export const SUBSTITUTE_ANNOTATION = `${KUSTOMIZE_GROUP}/substitute`;
export const DECRYPT_ANNOTATION = `${KUSTOMIZE_GROUP}/decrypt`;
export const REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

export const FIELD_MANAGER = "plumbline";
export const DEFAULT_NAMESPACE = "flux-system";

/** Flux condition reasons. */
export type ConditionReason =
  | "ReconciliationSucceeded"
  | "ReconciliationFailed"
  | "Progressing"
  | "BuildFailed"
  | "HealthCheckFailed"
  | "DependencyNotReady"
  | "PruneFailed"
  | "ArtifactFailed"
  | "GitOperationFailed"
  | "Succeeded"
  | "DecryptionFailed"
  | "InvalidPath"
  | "ApplyFailed";
