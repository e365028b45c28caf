/**
 * kustomize's output computed in process, for the one shape of build that transforms nothing: a kustomization
 * whose only fields are apiVersion, kind and `resources`, every resource a file in the repository whose
 * documents are plain Kubernetes objects. kustomize then only gathers the objects, checks their ids and sorts
 * them (its default "legacy" order). Running it costs a process and a second YAML parse of every file (about 1 s
 * for 1000 objects on 2 cores), for that.
 *
 * Whatever kustomize would change, reject or treat specially returns undefined, and the real kustomize builds
 * as before (with its own error messages): other kustomization fields, directories or remote resources, YAML
 * anchors, aliases, explicit tags or directives, Lists, kustomize's own kinds and annotations, annotations that
 * are empty or not strings (kustomize rewrites those), objects without a plain name, and colliding ids.
 * test/unit/render/direct-build.test.ts holds this equal to `kustomize build` on the shapes it accepts. Pure
 * but for `isFile` and `parse`, which the caller provides (the preflight has already parsed every file).
 */
import { join } from "node:path";
import { groupOf, versionOf, type KubeObject } from "../core/object-ref.ts";
import { isRemoteReference } from "./safe-path.ts";

/** Parsed files whose documents hold no YAML feature kustomize would rewrite (see kustomization-file.ts). */
const plainFiles = new WeakSet<unknown[]>();

export function markPlain(docs: unknown[]): void {
  plainFiles.add(docs);
}

const KUSTOMIZATION_FIELDS = new Set(["apiVersion", "kind", "resources"]);

type Doc = Record<string, unknown>;

const isMap = (v: unknown): v is Doc => !!v && typeof v === "object" && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Keys kustomize reads or strips itself (local-config, build annotations, its internal bookkeeping). */
const kustomizeOwned = (key: string): boolean => key.includes("config.kubernetes.io") || key.includes("kustomize.config.k8s.io");

function stringMap(v: unknown, allowEmpty: boolean): boolean {
  if (v === undefined) return true;
  if (!isMap(v)) return false;
  const entries = Object.entries(v);
  if (!allowEmpty && entries.length === 0) return false; // kustomize drops an empty annotations map
  return entries.every(([k, val]) => typeof val === "string" && !kustomizeOwned(k));
}

/** True when kustomize would output the document exactly as parsed. */
export function isPlainObject(doc: unknown): doc is KubeObject {
  if (!isMap(doc)) return false;
  const { apiVersion, kind, metadata } = doc;
  if (!isName(apiVersion) || !isName(kind) || kind.endsWith("List") || apiVersion.startsWith("kustomize.config.k8s.io")) return false;
  if (!isMap(metadata) || !isName(metadata["name"]) || "generateName" in metadata) return false;
  if ("namespace" in metadata && !isName(metadata["namespace"])) return false;
  return stringMap(metadata["labels"], true) && stringMap(metadata["annotations"], false);
}

// kustomize's legacy order: these kinds first, in this order, then every other kind, then webhooks
const ORDER_FIRST = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"];
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
const KIND_RANK = new Map<string, number>([...ORDER_FIRST.map((k, i): [string, number] => [k, i - ORDER_FIRST.length]), ...ORDER_LAST.map((k, i): [string, number] => [k, i + 1])]);

interface Keyed {
  obj: KubeObject;
  rank: number;
  /** Compares kinds of equal rank: group, version and kind, kustomize's legacy spelling. */
  gvk: string;
  /** Orders objects of one kind: kind, version and group, namespace, name. */
  id: string;
  /** kustomize refuses two objects with one id: group, kind, namespace ("default" and none alike), name. */
  clash: string;
}

function keyOf(obj: KubeObject): Keyed {
  const group = groupOf(obj.apiVersion);
  const version = versionOf(obj.apiVersion);
  const ns = obj.metadata.namespace ?? "";
  const name = obj.metadata.name ?? "";
  return {
    obj,
    rank: KIND_RANK.get(obj.kind) ?? 0,
    gvk: [group || "~G", version || "~V", obj.kind].join("_"),
    id: [[obj.kind, version || "[noVer]", group || "[noGrp]"].join("."), ns || "~X", name || "~N"].join("|"),
    clash: [group, obj.kind, ns === "default" ? "" : ns, name].join("|"),
  };
}

function compare(a: Keyed, b: Keyed): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.gvk !== b.gvk) return a.gvk < b.gvk ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface DirectBuildInput {
  /** The amended or generated kustomization document. */
  kustomization: Doc;
  /** The directory the kustomization is in. */
  dir: string;
  isFile: (path: string) => boolean;
  parse: (file: string) => unknown[];
}

/** kustomize's output for a build that transforms nothing, or undefined when the real kustomize must run. */
export function directBuild(input: DirectBuildInput): KubeObject[] | undefined {
  const k = input.kustomization;
  if (!Object.keys(k).every((f) => KUSTOMIZATION_FIELDS.has(f))) return undefined;
  if (k["kind"] !== undefined && k["kind"] !== "Kustomization") return undefined;
  const resources = k["resources"] ?? [];
  if (!Array.isArray(resources)) return undefined;
  const keyed: Keyed[] = [];
  const ids = new Set<string>();
  for (const ref of resources) {
    if (typeof ref !== "string" || isRemoteReference(ref)) return undefined;
    const file = join(input.dir, ref);
    if (!input.isFile(file)) return undefined;
    const docs = input.parse(file);
    if (!plainFiles.has(docs)) return undefined;
    for (const doc of docs) {
      if (!isPlainObject(doc)) return undefined;
      const key = keyOf(doc);
      if (ids.has(key.clash)) return undefined;
      ids.add(key.clash);
      keyed.push(key);
    }
  }
  // the parsed documents are shared by the renders of this artifact; each render gets its own copies
  return keyed.sort(compare).map((x) => structuredClone(x.obj));
}
