import { describe } from "node:test";
import { runTable } from "./table.ts";

const pod = (status: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: web-abc, namespace: apps, creationTimestamp: "2024-05-01T10:00:00Z" }
status: ${status}
`;
const unschedulable = pod(`{ phase: Pending, conditions: [{ type: PodScheduled, status: "False", reason: Unschedulable, message: "0/1 nodes are available: 1 Insufficient cpu." }] }`);

describe("Pod", () => {
  runTable([
    { name: "Running and Ready is Current", yaml: pod(`{ phase: Running, conditions: [{ type: Ready, status: "True" }] }`), status: "Current", says: ["running and Ready"] },
    { name: "Succeeded is Current", yaml: pod("{ phase: Succeeded }"), status: "Current", says: ["Succeeded"] },
    {
      name: "phase Failed is Current like kstatus (completed unsuccessfully)",
      yaml: pod("{ phase: Failed, reason: Evicted }"),
      status: "Current",
      says: ["completed unsuccessfully", "Evicted"],
    },
    {
      name: "Running, not Ready is InProgress",
      yaml: pod(`{ phase: Running, conditions: [{ type: Ready, status: "False" }], containerStatuses: [{ name: app, state: { running: {} } }] }`),
      status: "InProgress",
      says: ["running but not Ready"],
    },
    {
      name: "CrashLoopBackOff is Failed and names the container",
      yaml: pod(`{ phase: Running, conditions: [{ type: Ready, status: "False" }],
        containerStatuses: [{ name: app, state: { waiting: { reason: CrashLoopBackOff } } }, { name: sidecar, state: { running: {} } }] }`),
      status: "Failed",
      says: ["CrashLoopBackOff", "container app"],
    },
    {
      name: "init container CrashLoopBackOff while Pending is Failed",
      yaml: pod(`{ phase: Pending, initContainerStatuses: [{ name: migrate, state: { waiting: { reason: CrashLoopBackOff } } }] }`),
      status: "Failed",
      says: ["CrashLoopBackOff", "init container migrate"],
    },
    { name: "Pending is InProgress", yaml: pod("{ phase: Pending }"), status: "InProgress", says: ["Pending"] },
    {
      name: "Unschedulable past the window is Failed",
      yaml: unschedulable,
      options: { now: new Date("2024-05-01T10:01:00Z") },
      status: "Failed",
      says: ["cannot be scheduled", "Unschedulable", "Insufficient cpu"],
    },
    {
      name: "Unschedulable within the window is InProgress",
      yaml: unschedulable,
      options: { now: new Date("2024-05-01T10:00:05Z") },
      status: "InProgress",
      says: ["not scheduled yet", "Unschedulable"],
    },
    { name: "Unschedulable without a clock is InProgress", yaml: unschedulable, status: "InProgress", says: ["Unschedulable"] },
    { name: "no phase yet is InProgress", yaml: pod("{}"), status: "InProgress", says: ["no phase"] },
    { name: "unknown phase is Unknown", yaml: pod("{ phase: Exploded }"), status: "Unknown", says: ["Exploded"] },
  ]);
});

const job = (status: string): string => `
apiVersion: batch/v1
kind: Job
metadata: { name: migrate, namespace: ns, generation: 1 }
spec: { completions: 1, parallelism: 1 }
status: ${status}
`;

describe("Job", () => {
  runTable([
    {
      name: "Complete is Current",
      yaml: job(`{ startTime: "2024-05-01T10:00:00Z", succeeded: 1, conditions: [{ type: Complete, status: "True" }] }`),
      status: "Current",
      says: ["complete", "1 of 1 succeeded"],
    },
    {
      name: "Failed condition is Failed with its reason",
      yaml: job(`{ startTime: "2024-05-01T10:00:00Z", failed: 7, conditions: [{ type: Failed, status: "True", reason: BackoffLimitExceeded, message: "Job has reached the specified backoff limit" }] }`),
      status: "Failed",
      says: ["Job/ns/migrate: failed: BackoffLimitExceeded", "backoff limit"],
    },
    {
      name: "active Job is InProgress (Flux: wait for completion)",
      yaml: job(`{ startTime: "2024-05-01T10:00:00Z", active: 1 }`),
      status: "InProgress",
      says: ["running", "1 active"],
    },
    { name: "not started is InProgress", yaml: job("{}"), status: "InProgress", says: ["not started"] },
    {
      name: "Suspended is Current",
      yaml: job(`{ conditions: [{ type: Suspended, status: "True", reason: JobSuspended }] }`),
      status: "Current",
      says: ["suspended"],
    },
  ]);
});
