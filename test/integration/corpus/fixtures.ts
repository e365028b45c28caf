/**
 * Manifests as real repositories hold them: quantities as people write them (`2000m`, `1Gi`), named ports,
 * defaults left out, RBAC names with `:` (and one with `_`), an autoscaling/v1 HPA.
 */
import assert from "node:assert/strict";
import type { KubeClient } from "../../../src/kube/client.ts";
import { kustomizationYaml } from "../../support/flux-yaml.ts";

/** A Flux Kustomization of the cluster folder, as `flux create kustomization --export` writes it. */
export function fluxKustomization(name: string, ns: string, path: string, extra = ""): string {
  return `---\n${kustomizationYaml(name, ns, path, extra, "10m0s")}`;
}

export const deployment = (name: string, extraEnv = ""): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: ${name}
          image: ghcr.io/example/${name}:1.4.2
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${name}-settings
${extraEnv}          resources:
            requests:
              cpu: 250m
              memory: 256Mi
            limits:
              cpu: 2000m
              memory: 1Gi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
`;

export const service = (name: string): string => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;

export const serviceAccount = (name: string): string => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
`;

export const settings = (name: string, data: Record<string, string>): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-settings
data:
${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join("\n")}
`;

/** A Role with `:` in its name, one with `_`, and the binding of the first (roleRef is immutable). */
export const rbac = (team: string): string => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${team}:reader
rules:
  - apiGroups: [""]
    resources: ["configmaps", "pods"]
    verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${team}_reader
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${team}:readers
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${team}:reader
subjects:
  - kind: Group
    name: ${team}:developers
    apiGroup: rbac.authorization.k8s.io
`;

export const hpa = (name: string): string => `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${name}
  minReplicas: 1
  maxReplicas: 4
  targetCPUUtilizationPercentage: 80
`;

export const kustomizationFile = (body: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
${body}`;

/** Asserts an object exists and, optionally, what a field holds. */
export async function expectObject(kube: KubeClient, apiVersion: string, kind: string, ns: string | undefined, name: string, check?: (o: Record<string, unknown>) => unknown, expected?: unknown): Promise<void> {
  const o = await kube.get(apiVersion, kind, ns, name);
  assert.ok(o, `${kind} ${ns ? `${ns}/` : ""}${name} exists`);
  if (check) assert.deepEqual(check(o), expected, `${kind} ${ns ? `${ns}/` : ""}${name}`);
}

export const dataOf = (o: Record<string, unknown>): Record<string, string> => (o["data"] ?? {}) as Record<string, string>;
