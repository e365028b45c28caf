import assert from "node:assert/strict";
import { test } from "node:test";
import { computeHealth, describeUnhealthy, notFoundHealth } from "../../../src/health/index.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";

test("describeUnhealthy joins unhealthy items with status and reason, without repeating the subject", () => {
  const text = describeUnhealthy([
    { subject: "Deployment/apps/web", result: { status: "InProgress", message: "Deployment/apps/web: 1 of 3 replicas available" } },
    { subject: "ConfigMap/apps/cfg", result: { status: "Current", message: "ConfigMap/apps/cfg: always ready once it exists" } },
    { subject: "Job/ns/migrate", result: { status: "Failed", message: "Job/ns/migrate: failed: BackoffLimitExceeded" } },
    { subject: "Service/web/front", result: notFoundHealth("Service/web/front") },
  ]);
  assert.equal(
    text,
    "Deployment/apps/web: InProgress: 1 of 3 replicas available; Job/ns/migrate: Failed: failed: BackoffLimitExceeded; Service/web/front: NotFound: not found",
  );
});

test("describeUnhealthy keeps a message that does not start with the subject", () => {
  assert.equal(describeUnhealthy([{ subject: "Pod/a/b", result: { status: "Unknown", message: "no reply" } }]), "Pod/a/b: Unknown: no reply");
});

test("describeUnhealthy is empty when everything is Current", () => {
  assert.equal(describeUnhealthy([{ subject: "Pod/a/b", result: { status: "Current", message: "Pod/a/b: running and Ready" } }]), "");
});

test("describeUnhealthy counts what it leaves out", () => {
  const items = Array.from({ length: 5 }, (_, i) => ({ subject: `Pod/a/p${i}`, result: { status: "InProgress" as const, message: `Pod/a/p${i}: Pending` } }));
  const text = describeUnhealthy(items, 2);
  assert.equal(text, "Pod/a/p0: InProgress: Pending; Pod/a/p1: InProgress: Pending; and 3 more");
});

test("computeHealth on something that is not an object is Unknown, not a throw", () => {
  const got = computeHealth({ kind: "Pod" } as unknown as KubeObject);
  assert.equal(got.status, "Unknown");
  assert.match(got.message, /not a Kubernetes object/);
});

test("computeHealth does not modify its input", () => {
  const obj: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "apps", generation: 1 },
    spec: { replicas: 1 },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
  };
  const before = structuredClone(obj);
  computeHealth(obj);
  assert.deepEqual(obj, before);
});

test("long condition messages are clipped to one short line", () => {
  const long = `line one\n${"x".repeat(1000)}`;
  const got = computeHealth({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w" },
    status: { conditions: [{ type: "Stalled", status: "True", reason: "Boom", message: long }] },
  });
  assert.equal(got.status, "Failed");
  assert.ok(!got.message.includes("\n"));
  assert.ok(got.message.length < 300, `length ${got.message.length}`);
  assert.match(got.message, /Boom: line one x+…$/);
});
