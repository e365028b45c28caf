/** Identity of one Kubernetes object, and Flux's inventory id for it. */
export interface ObjectRef {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    managedFields?: ManagedFieldsEntry[];
    creationTimestamp?: string;
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

export function refOf(obj: KubeObject): ObjectRef {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name ?? "",
  };
}

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/**
 * Flux inventory id: `<namespace>_<name>_<group>_<kind>`. As Flux's ObjMetadata (cli-utils), a `:` in the name of an
 * RBAC object (the only kinds whose names may hold one) is written as `__`.
 */
export function inventoryId(ref: ObjectRef): string {
  const name = ref.group === RBAC_GROUP && RBAC_KINDS.has(ref.kind) ? ref.name.replaceAll(":", "__") : ref.name;
  return `${ref.namespace}_${name}_${ref.group}_${ref.kind}`;
}

/**
 * Parses an inventory id as Flux does: namespace up to the first `_`, kind after the last, group after the one before
 * it, the name in between with `__` read back as `:`. Namespaces, groups and kinds cannot hold `_`; RBAC names can
 * (`team_reader`), so a `_` left in the name is part of it (Flux refuses such an id; reading it keeps a Kustomization
 * holding one from failing every reconcile). Ids written before `:` was encoded (a raw `:`) read the same.
 */
export function parseInventoryId(id: string): ObjectRef {
  const first = id.indexOf("_");
  const last = id.lastIndexOf("_");
  const groupAt = first < last ? id.lastIndexOf("_", last - 1) : -1;
  const name = groupAt > first ? id.slice(first + 1, groupAt).replaceAll("__", ":") : "";
  const kind = id.slice(last + 1);
  if (first < 0 || groupAt <= first || !name || !kind) throw new Error(`invalid inventory id "${id}": want <namespace>_<name>_<group>_<kind>`);
  return { namespace: id.slice(0, first), name, group: id.slice(groupAt + 1, last), kind };
}

/** Human form used in messages: `Kind/namespace/name` or `Kind/name`. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

export function describeObject(obj: KubeObject): string {
  return describeRef(refOf(obj));
}

export function sameRef(a: ObjectRef, b: ObjectRef): boolean {
  return a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}
