/** Runs the engine's one-shot sync against the shared test cluster, capturing its events. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeClient } from "../../src/kube/client.ts";
import type { EngineEvent } from "../../src/core/events.ts";
import type { GitRepositoryRef } from "../../src/core/api-types.ts";
import { sync, type SyncOptions, type SyncReport } from "../../src/reconcile/sync.ts";
import { makeSopsDecryptor } from "../../src/reconcile/sops-decryptor.ts";

const cacheDir = mkdtempSync(join(tmpdir(), "plumbline-test-cache-"));

export interface SyncRun extends SyncReport {
  events: EngineEvent[];
  byName: (name: string) => SyncReport["kustomizations"][number];
}

export async function syncOnce(kube: KubeClient, o: { url: string; path: string; namespace: string; ref?: GitRepositoryRef; secretRef?: string; allowEmpty?: boolean; makeDecryptor?: SyncOptions["makeDecryptor"]; oneShot?: boolean }): Promise<SyncRun> {
  const events: EngineEvent[] = [];
  const r = await sync({
    kube, url: o.url, ref: o.ref ?? { branch: "main" }, path: o.path, namespace: o.namespace, cacheDir, events: (e) => events.push(e),
    makeDecryptor: o.makeDecryptor ?? makeSopsDecryptor, ...(o.secretRef ? { secretRef: o.secretRef } : {}), ...(o.allowEmpty ? { allowEmpty: true } : {}),
    ...(o.oneShot ? { oneShot: true } : {}),
  });
  return {
    ...r, events,
    byName: (name) => {
      const k = r.kustomizations.find((x) => x.name === name);
      if (!k) throw new Error(`no Kustomization ${name} in ${r.kustomizations.map((x) => x.name).join(", ")}`);
      return k;
    },
  };
}

export { kustomizationYaml } from "./flux-yaml.ts";

export function configMapYaml(name: string, ns: string, data: Record<string, string>): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${ns}
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join("\n")}
`;
}

export function deploymentYaml(name: string, ns: string, replicas: number, extraSpec = "", labels = `app: ${name}`): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      ${labels}
  template:
    metadata:
      labels:
        ${labels}
    spec:
${extraSpec}      containers:
      - name: main
        image: registry.example/${name}:1.0
`;
}
