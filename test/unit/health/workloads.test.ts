import { describe } from "node:test";
import { runTable } from "./table.ts";

const deployment = (spec: string, status: string, meta = ""): string => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps, generation: 2${meta} }
spec: { replicas: 3, progressDeadlineSeconds: 600${spec} }
status: { observedGeneration: 2${status} }
`;
const rolledOut = `, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3,
  conditions: [
    { type: Available, status: "True", reason: MinimumReplicasAvailable },
    { type: Progressing, status: "True", reason: NewReplicaSetAvailable } ]`;

describe("Deployment", () => {
  runTable([
    { name: "fully rolled out is Current", yaml: deployment("", rolledOut), status: "Current", says: ["3 of 3 replicas available"] },
    {
      name: "too few available is InProgress",
      yaml: deployment("", `, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1,
        conditions: [{ type: Progressing, status: "True", reason: ReplicaSetUpdated }]`),
      status: "InProgress",
      says: ["Deployment/apps/web: 1 of 3 replicas available"],
    },
    {
      name: "too few updated is InProgress",
      yaml: deployment("", `, replicas: 3, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3`),
      status: "InProgress",
      says: ["1 of 3 replicas updated"],
    },
    {
      name: "too few created is InProgress",
      yaml: deployment("", `, replicas: 2`),
      status: "InProgress",
      says: ["2 of 3 replicas created"],
    },
    {
      name: "old replicas still terminating is InProgress",
      yaml: deployment("", `, replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3`),
      status: "InProgress",
      says: ["1 old replicas pending termination"],
    },
    {
      name: "ProgressDeadlineExceeded is Failed",
      yaml: deployment("", `, replicas: 3, updatedReplicas: 3, availableReplicas: 1,
        conditions: [{ type: Progressing, status: "False", reason: ProgressDeadlineExceeded, message: 'ReplicaSet "web-5d" has timed out progressing.' }]`),
      status: "Failed",
      says: ["ProgressDeadlineExceeded", "timed out progressing"],
    },
    {
      name: "counts fine but Available condition not True is InProgress",
      yaml: deployment("", `, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3,
        conditions: [{ type: Progressing, status: "True", reason: NewReplicaSetAvailable }, { type: Available, status: "False" }]`),
      status: "InProgress",
      says: ["Available condition is not True"],
    },
    {
      name: "counts fine but Progressing not NewReplicaSetAvailable is InProgress",
      yaml: deployment("", `, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3,
        conditions: [{ type: Available, status: "True" }, { type: Progressing, status: "True", reason: ReplicaSetUpdated }]`),
      status: "InProgress",
      says: ["NewReplicaSetAvailable"],
    },
    {
      name: "observedGeneration behind is InProgress even when counts look fine",
      yaml: deployment("", rolledOut).replace("metadata: { name: web, namespace: apps, generation: 2", "metadata: { name: web, namespace: apps, generation: 3"),
      status: "InProgress",
      says: ["generation 3 not yet observed", "observedGeneration 2"],
    },
    {
      name: "deletionTimestamp is Terminating",
      yaml: deployment("", rolledOut, `, deletionTimestamp: "2024-05-01T10:00:00Z", finalizers: [example.com/cleanup]`),
      status: "Terminating",
      says: ["being deleted", "example.com/cleanup"],
    },
  ]);
});

const sts = (strategy: string, status: string): string => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: data, generation: 1 }
spec: { replicas: 3${strategy} }
status: { observedGeneration: 1${status} }
`;

describe("StatefulSet", () => {
  runTable([
    {
      name: "all replicas at the update revision is Current",
      yaml: sts("", ", replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: db-7, updateRevision: db-7"),
      status: "Current",
      says: ["3 of 3 replicas ready", "db-7"],
    },
    {
      name: "too few ready is InProgress",
      yaml: sts("", ", replicas: 3, readyReplicas: 2, currentReplicas: 3, currentRevision: db-7, updateRevision: db-7"),
      status: "InProgress",
      says: ["2 of 3 replicas ready"],
    },
    {
      name: "revision mismatch is InProgress",
      yaml: sts("", ", replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 1, currentRevision: db-7, updateRevision: db-8"),
      status: "InProgress",
      says: ["rolling out revision db-8", "db-7"],
    },
    {
      name: "partition not yet rolled out is InProgress",
      yaml: sts(", updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: 1 } }",
        ", replicas: 3, readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: db-7, updateRevision: db-8"),
      status: "InProgress",
      says: ["1 of 2 replicas updated", "partition 1"],
    },
    {
      name: "partition rolled out is Current despite revision mismatch",
      yaml: sts(", updateStrategy: { type: RollingUpdate, rollingUpdate: { partition: 1 } }",
        ", replicas: 3, readyReplicas: 3, currentReplicas: 1, updatedReplicas: 2, currentRevision: db-7, updateRevision: db-8"),
      status: "Current",
      says: ["partitioned rollout complete", "partition 1"],
    },
    {
      name: "OnDelete is Current whatever the counts",
      yaml: sts(", updateStrategy: { type: OnDelete }", ", replicas: 3, readyReplicas: 0"),
      status: "Current",
      says: ["OnDelete"],
    },
  ]);
});

const ds = (meta: string, status: string): string => `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system${meta} }
status: { ${status} }
`;

describe("DaemonSet", () => {
  runTable([
    {
      name: "all pods available is Current",
      yaml: ds(", generation: 4", "observedGeneration: 4, desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberReady: 2"),
      status: "Current",
      says: ["2 of 2 pods available"],
    },
    {
      name: "pods not yet updated is InProgress",
      yaml: ds(", generation: 4", "observedGeneration: 4, desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 1, numberAvailable: 2, numberReady: 2"),
      status: "InProgress",
      says: ["1 of 2 pods updated"],
    },
    {
      name: "missing observedGeneration is InProgress",
      yaml: ds(", generation: 1", "desiredNumberScheduled: 2"),
      status: "InProgress",
      says: ["observedGeneration not set"],
    },
    {
      name: "missing desiredNumberScheduled is InProgress",
      yaml: ds(", generation: 1", "observedGeneration: 1"),
      status: "InProgress",
      says: ["desiredNumberScheduled not set"],
    },
  ]);
});

const rs = (status: string): string => `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web-5d, namespace: apps, generation: 1 }
spec: { replicas: 2 }
status: { observedGeneration: 1${status} }
`;

describe("ReplicaSet", () => {
  runTable([
    {
      name: "all available is Current",
      yaml: rs(", replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2"),
      status: "Current",
      says: ["2 of 2 replicas available"],
    },
    {
      name: "too few available is InProgress",
      yaml: rs(", replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 0"),
      status: "InProgress",
      says: ["0 of 2 replicas available"],
    },
    {
      name: "ReplicaFailure is InProgress and names the reason",
      yaml: rs(`, conditions: [{ type: ReplicaFailure, status: "True", reason: FailedCreate, message: "exceeded quota: compute" }]`),
      status: "InProgress",
      says: ["FailedCreate", "exceeded quota"],
    },
  ]);
});
