import { describe } from "node:test";
import { runTable } from "./table.ts";

const pvc = (status: string): string => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: db }
spec: { volumeName: pv-1 }
status: ${status}
`;

describe("PersistentVolumeClaim", () => {
  runTable([
    { name: "Bound is Current", yaml: pvc("{ phase: Bound }"), status: "Current", says: ["Bound to pv-1"] },
    { name: "Pending is InProgress", yaml: pvc("{ phase: Pending }"), status: "InProgress", says: ["not Bound", "Pending"] },
    { name: "Lost is Failed", yaml: pvc("{ phase: Lost }"), status: "Failed", says: ["Lost"] },
  ]);
});

const svc = (spec: string, status = "{}"): string => `
apiVersion: v1
kind: Service
metadata: { name: front, namespace: web }
spec: ${spec}
status: ${status}
`;

describe("Service", () => {
  runTable([
    { name: "ClusterIP is Current", yaml: svc("{ type: ClusterIP, clusterIP: 10.0.0.5 }"), status: "Current", says: ["ClusterIP"] },
    {
      name: "LoadBalancer without ingress is InProgress",
      yaml: svc("{ type: LoadBalancer, clusterIP: 10.0.0.5 }", "{ loadBalancer: {} }"),
      status: "InProgress",
      says: ["load balancer ingress"],
    },
    {
      name: "LoadBalancer with ingress IP is Current",
      yaml: svc("{ type: LoadBalancer, clusterIP: 10.0.0.5 }", "{ loadBalancer: { ingress: [{ ip: 203.0.113.7 }] } }"),
      status: "Current",
      says: ["203.0.113.7"],
    },
    {
      name: "LoadBalancer with ingress hostname is Current",
      yaml: svc("{ type: LoadBalancer }", "{ loadBalancer: { ingress: [{ hostname: lb.example.com }] } }"),
      status: "Current",
      says: ["lb.example.com"],
    },
  ]);
});

const crd = (conditions: string): string => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com, generation: 1 }
status: { conditions: ${conditions} }
`;

describe("CustomResourceDefinition", () => {
  runTable([
    {
      name: "Established is Current",
      yaml: crd(`[{ type: NamesAccepted, status: "True" }, { type: Established, status: "True" }]`),
      status: "Current",
      says: ["CustomResourceDefinition/widgets.example.com: Established"],
    },
    {
      name: "NamesAccepted False is Failed",
      yaml: crd(`[{ type: NamesAccepted, status: "False", reason: MultipleNamesNotAllowed, message: '"widget" is already in use' }, { type: Established, status: "False", reason: NotAccepted }]`),
      status: "Failed",
      says: ["names not accepted", "MultipleNamesNotAllowed"],
    },
    {
      name: "Established False while Installing is InProgress",
      yaml: crd(`[{ type: NamesAccepted, status: "True" }, { type: Established, status: "False", reason: Installing }]`),
      status: "InProgress",
      says: ["Installing"],
    },
    { name: "no conditions yet is InProgress", yaml: crd("[]"), status: "InProgress", says: ["Established"] },
  ]);
});

describe("Namespace", () => {
  runTable([
    { name: "Active is Current", yaml: "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\nstatus: { phase: Active }", status: "Current", says: ["Active"] },
    {
      name: "phase Terminating is Terminating",
      yaml: "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps }\nstatus: { phase: Terminating }",
      status: "Terminating",
      says: ["Terminating"],
    },
    {
      name: "deletionTimestamp is Terminating",
      yaml: "apiVersion: v1\nkind: Namespace\nmetadata: { name: apps, deletionTimestamp: '2024-05-01T10:00:00Z' }\nstatus: { phase: Terminating }",
      status: "Terminating",
      says: ["being deleted"],
    },
  ]);
});

const pdb = (gen: number, observed: number): string => `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: apps, generation: ${gen} }
spec: { minAvailable: 1 }
status: { observedGeneration: ${observed}, disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1 }
`;

describe("PodDisruptionBudget", () => {
  runTable([
    { name: "observed is Current", yaml: pdb(2, 2), status: "Current", says: ["2 disruptions allowed"] },
    { name: "observedGeneration behind is InProgress", yaml: pdb(3, 2), status: "InProgress", says: ["generation 3 not yet observed"] },
  ]);
});

describe("always-current kinds", () => {
  runTable([
    { name: "ConfigMap is Current", yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg, namespace: apps }\ndata: { a: b }", status: "Current", says: ["always ready"] },
    { name: "Secret is Current", yaml: "apiVersion: v1\nkind: Secret\nmetadata: { name: s, namespace: apps }", status: "Current", says: ["always ready"] },
  ]);
});
