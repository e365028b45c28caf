/**
 * Generates the benchmark inputs: Kubernetes objects for each case, as repository files (for Plumbline)
 * and as multi-document YAML (for the kubectl baseline). Pure: no I/O.
 */
import { stringify } from "yaml";
import type { KubeObject } from "../src/core/object-ref.ts";
import type { SizeProfile } from "./sizes.ts";

export type Files = Record<string, string>;

const KUSTOMIZATION_API_VERSION = "kustomize.toolkit.fluxcd.io/v1";

export function toYaml(docs: readonly KubeObject[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join("---\n");
}

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

function namespace(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

function configMap(ns: string, name: string, i: number): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns, labels: { app: name } }, data: { index: String(i), "app.properties": `name=${name}\nreplicas=1\nlevel=info\n` } };
}

function secret(ns: string, name: string, i: number): KubeObject {
  // `data` (base64), not stringData: the stored form, so a no-op reconcile compares like with like
  const data = { username: Buffer.from(`user-${i}`).toString("base64"), password: Buffer.from(`not-a-real-password-${i}`).toString("base64") };
  return { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name, namespace: ns, labels: { app: name } }, data };
}

function service(ns: string, name: string): KubeObject {
  return {
    apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns, labels: { app: name } },
    spec: { type: "ClusterIP", selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
  };
}

function deployment(ns: string, name: string): KubeObject {
  // replicas 0: the benchmark measures the API work of applying, not the hollow node running pods
  return {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "registry.invalid/bench/app:1.0.0", ports: [{ containerPort: 8080 }], resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      },
    },
  };
}

export function widgetCrd(group: string): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: `widgets.${group}` },
    spec: {
      group, scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [{
        name: "v1", served: true, storage: true,
        schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" }, color: { type: "string" } } } } } },
      }],
    },
  };
}

export interface ApplyTree {
  namespaces: KubeObject[];
  crd: KubeObject;
  /** Core objects and custom resources, namespaced. */
  objects: KubeObject[];
}

/** The initial-apply tree: core objects round-robin over kinds, spread over namespaces, plus a CRD and its resources. */
export function applyTree(prefix: string, group: string, p: SizeProfile): ApplyTree {
  const nsNames = Array.from({ length: p.namespaces }, (_, i) => `${prefix}-ns-${pad(i, 2)}`);
  const objects: KubeObject[] = [];
  for (let i = 0; i < p.objects; i++) {
    const ns = nsNames[i % nsNames.length] as string;
    const kind = i % 4;
    const name = `obj-${pad(i, 4)}`;
    objects.push(kind === 0 ? configMap(ns, name, i) : kind === 1 ? secret(ns, name, i) : kind === 2 ? service(ns, name) : deployment(ns, name));
  }
  for (let i = 0; i < p.customResources; i++) {
    objects.push({ apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: `widget-${pad(i, 4)}`, namespace: nsNames[i % nsNames.length] as string }, spec: { size: i, color: i % 2 ? "blue" : "green" } });
  }
  return { namespaces: nsNames.map(namespace), crd: widgetCrd(group), objects };
}

export function countObjects(t: ApplyTree): number {
  return t.namespaces.length + 1 + t.objects.length;
}

/** Repository files for an apply tree under `dir`: one file per namespace, so the generated kustomization lists several. */
export function applyTreeFiles(dir: string, t: ApplyTree): Files {
  const files: Files = { [`${dir}/namespaces.yaml`]: toYaml(t.namespaces), [`${dir}/crd.yaml`]: toYaml([t.crd]) };
  const byNs = new Map<string, KubeObject[]>();
  for (const o of t.objects) {
    const ns = o.metadata.namespace ?? "default";
    byNs.set(ns, [...(byNs.get(ns) ?? []), o]);
  }
  for (const [ns, docs] of byNs) files[`${dir}/${ns}.yaml`] = toYaml(docs);
  return files;
}

function childKustomization(name: string, path: string, dependsOn?: string): KubeObject {
  return {
    apiVersion: KUSTOMIZATION_API_VERSION, kind: "Kustomization", metadata: { name, namespace: "flux-system" },
    spec: { interval: "10m0s", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" }, ...(dependsOn ? { dependsOn: [{ name: dependsOn }] } : {}) },
  };
}

export interface ChainTree {
  /** Files of the repository: `<dir>/root` (Namespace and the Kustomizations) and `<dir>/levels/level-N`. */
  files: Files;
  rootPath: string;
  /** The objects of each level, in order (for the kubectl baseline). */
  levels: KubeObject[][];
  namespace: KubeObject;
}

/** A chain of Kustomizations, each dependsOn the previous one, each applying a few ConfigMaps. */
export function chainTree(dir: string, ns: string, p: SizeProfile): ChainTree {
  const files: Files = {};
  const kss: KubeObject[] = [];
  const levels: KubeObject[][] = [];
  for (let l = 1; l <= p.chainLevels; l++) {
    const levelDir = `${dir}/levels/level-${l}`;
    const objs = Array.from({ length: p.chainObjectsPerLevel }, (_, j) => configMap(ns, `level-${l}-cm-${j}`, j));
    levels.push(objs);
    files[`${levelDir}/configmaps.yaml`] = toYaml(objs);
    kss.push(childKustomization(`${ns}-level-${l}`, `./${levelDir}`, l > 1 ? `${ns}-level-${l - 1}` : undefined));
  }
  files[`${dir}/root/namespace.yaml`] = toYaml([namespace(ns)]);
  files[`${dir}/root/kustomizations.yaml`] = toYaml(kss);
  return { files, rootPath: `./${dir}/root`, levels, namespace: namespace(ns) };
}

export interface ManyTree {
  files: Files;
  rootPath: string;
  /** All objects the Kustomizations apply (for the kubectl baseline), namespace first. */
  objects: KubeObject[];
}

/** Many independent Kustomizations of 4 objects each (2 ConfigMaps, a Secret, a Service). */
export function manyTree(dir: string, ns: string, count: number): ManyTree {
  const files: Files = {};
  const kss: KubeObject[] = [];
  const objects: KubeObject[] = [namespace(ns)];
  const width = String(count).length;
  for (let i = 0; i < count; i++) {
    const unit = `unit-${pad(i, width)}`;
    const objs = [configMap(ns, `${unit}-a`, i), configMap(ns, `${unit}-b`, i), secret(ns, `${unit}-s`, i), service(ns, `${unit}-svc`)];
    objects.push(...objs);
    files[`${dir}/units/${unit}/objects.yaml`] = toYaml(objs);
    kss.push(childKustomization(`${ns}-${unit}`, `./${dir}/units/${unit}`));
  }
  files[`${dir}/root/namespace.yaml`] = toYaml([namespace(ns)]);
  files[`${dir}/root/kustomizations.yaml`] = toYaml(kss);
  return { files, rootPath: `./${dir}/root`, objects };
}

export interface DriftTree {
  files: Files;
  path: string;
  /** The ConfigMap the benchmark changes, and the value Git holds for the changed key. */
  target: { namespace: string; name: string; key: string; desired: string };
}

export function driftTree(dir: string, ns: string, count: number): DriftTree {
  const cms = Array.from({ length: count }, (_, i) => configMap(ns, `drift-${pad(i, 2)}`, i));
  const first = cms[0];
  if (!first) throw new Error("drift tree: needs at least one ConfigMap");
  return {
    files: { [`${dir}/namespace.yaml`]: toYaml([namespace(ns)]), [`${dir}/configmaps.yaml`]: toYaml(cms) },
    path: `./${dir}`,
    target: { namespace: ns, name: first.metadata.name ?? "", key: "index", desired: "0" },
  };
}
