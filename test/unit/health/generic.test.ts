import { describe } from "node:test";
import { runTable } from "./table.ts";

const widget = (meta: string, status: string): string => `
apiVersion: example.com/v1
kind: Widget
metadata: { name: w, namespace: apps${meta} }
${status}
`;

describe("generic rules (any kind)", () => {
  runTable([
    { name: "no status at all is Current", yaml: widget("", ""), status: "Current", says: ["no status"] },
    { name: "status without conditions is Current", yaml: widget(", generation: 1", "status: { observedGeneration: 1, phase: Running }"), status: "Current", says: ["no conditions"] },
    {
      name: "observedGeneration behind is InProgress",
      yaml: widget(", generation: 5", "status: { observedGeneration: 4 }"),
      status: "InProgress",
      says: ["generation 5 not yet observed", "observedGeneration 4"],
    },
    {
      name: "Ready False without Stalled is InProgress",
      yaml: widget("", `status: { conditions: [{ type: Ready, status: "False", reason: Provisioning, message: waiting for volume }] }`),
      status: "InProgress",
      says: ["not Ready", "Provisioning", "waiting for volume"],
    },
    {
      name: "Ready Unknown is InProgress",
      yaml: widget("", `status: { conditions: [{ type: Ready, status: "Unknown", reason: Pending }] }`),
      status: "InProgress",
      says: ["Ready=Unknown", "Pending"],
    },
    { name: "Ready True is Current", yaml: widget("", `status: { conditions: [{ type: Ready, status: "True" }] }`), status: "Current", says: ["Ready"] },
    {
      name: "Stalled True is Failed even with Ready False",
      yaml: widget("", `status: { conditions: [{ type: Ready, status: "False", reason: Broken }, { type: Stalled, status: "True", reason: InvalidSpec, message: "spec.size must be positive" }] }`),
      status: "Failed",
      says: ["stalled", "InvalidSpec", "spec.size must be positive"],
    },
    {
      name: "Reconciling True is InProgress even with Ready True",
      yaml: widget("", `status: { conditions: [{ type: Ready, status: "True" }, { type: Reconciling, status: "True", reason: Progressing, message: scaling up }] }`),
      status: "InProgress",
      says: ["reconciling", "Progressing", "scaling up"],
    },
    {
      name: "Stalled False and Reconciling False fall through to Ready",
      yaml: widget("", `status: { conditions: [{ type: Stalled, status: "False" }, { type: Reconciling, status: "False" }, { type: Ready, status: "True" }] }`),
      status: "Current",
      says: ["Ready"],
    },
    {
      name: "deletionTimestamp wins over everything",
      yaml: widget(`, deletionTimestamp: "2024-05-01T10:00:00Z"`, `status: { conditions: [{ type: Stalled, status: "True" }] }`),
      status: "Terminating",
      says: ["being deleted since 2024-05-01T10:00:00Z"],
    },
    {
      name: "cluster-scoped subject has no namespace",
      yaml: "apiVersion: example.com/v1\nkind: Gadget\nmetadata: { name: g }\nstatus: { conditions: [{ type: Ready, status: 'False', reason: Waiting }] }",
      status: "InProgress",
      says: ["Gadget/g: not Ready", "Waiting"],
    },
  ]);
});

const ks = (gen: number, status: string): string => `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system, generation: ${gen} }
spec: { interval: 5m, path: ./apps, prune: true, sourceRef: { kind: GitRepository, name: repo } }
status: ${status}
`;

describe("Flux objects", () => {
  runTable([
    {
      name: "Kustomization Ready True and observed is Current",
      yaml: ks(2, `{ observedGeneration: 2, conditions: [{ type: Ready, status: "True", reason: ReconciliationSucceeded, message: "Applied revision: main@sha1:abc" }] }`),
      status: "Current",
      says: ["ReconciliationSucceeded"],
    },
    {
      name: "Kustomization Ready True but generation not observed is InProgress",
      yaml: ks(3, `{ observedGeneration: 2, conditions: [{ type: Ready, status: "True", reason: ReconciliationSucceeded }] }`),
      status: "InProgress",
      says: ["generation 3 not yet observed"],
    },
    {
      name: "Kustomization never reconciled is InProgress",
      yaml: ks(1, `{ conditions: [{ type: Ready, status: "True" }] }`),
      status: "InProgress",
      says: ["not yet reconciled", "observedGeneration unset"],
    },
    {
      name: "Kustomization Ready False without Stalled is InProgress",
      yaml: ks(1, `{ observedGeneration: 1, conditions: [{ type: Ready, status: "False", reason: HealthCheckFailed, message: "timeout waiting for: [Deployment/apps/web status: 'InProgress']" }] }`),
      status: "InProgress",
      says: ["not Ready", "HealthCheckFailed"],
    },
    {
      name: "Kustomization Ready False with Stalled is Failed",
      yaml: ks(1, `{ observedGeneration: 1, conditions: [{ type: Ready, status: "False", reason: BuildFailed }, { type: Stalled, status: "True", reason: BuildFailed, message: "kustomization.yaml: accumulating resources" }] }`),
      status: "Failed",
      says: ["stalled", "BuildFailed", "accumulating resources"],
    },
    {
      name: "GitRepository without a Ready condition is InProgress",
      yaml: "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: { name: repo, namespace: flux-system, generation: 1 }\nstatus: { observedGeneration: 1 }",
      status: "InProgress",
      says: ["no Ready condition"],
    },
    {
      name: "GitRepository Ready True is Current",
      yaml: "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: { name: repo, namespace: flux-system, generation: 1 }\nstatus: { observedGeneration: 1, conditions: [{ type: Ready, status: 'True', reason: Succeeded, message: stored artifact for revision main@sha1:abc }] }",
      status: "Current",
      says: ["GitRepository/flux-system/repo: Ready", "Succeeded"],
    },
  ]);
});
