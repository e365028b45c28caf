import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import { isDesiredStateChange } from "../../../src/plan/watched-change.ts";

const obj = (rv: string, extra: Partial<KubeObject["metadata"]> = {}, kind = "Deployment"): KubeObject => ({ apiVersion: "apps/v1", kind, metadata: { name: "web", namespace: "apps", resourceVersion: rv, ...extra } });

test("a status-only update (same generation, labels, annotations) is not drift", () => {
  assert.equal(isDesiredStateChange(obj("1", { generation: 3 }), obj("2", { generation: 3 })), false);
});

test("a new generation, a label or an annotation change is drift", () => {
  assert.equal(isDesiredStateChange(obj("1", { generation: 3 }), obj("2", { generation: 4 })), true);
  assert.equal(isDesiredStateChange(obj("1", { generation: 3, labels: { a: "1" } }), obj("2", { generation: 3, labels: { a: "2" } })), true);
  assert.equal(isDesiredStateChange(obj("1", { generation: 3 }), obj("2", { generation: 3, annotations: { note: "x" } })), true);
});

test("kinds without a generation count every update; the same resourceVersion is no change", () => {
  assert.equal(isDesiredStateChange(obj("1", {}, "ConfigMap"), obj("2", {}, "ConfigMap")), true);
  assert.equal(isDesiredStateChange(obj("5", { generation: 1 }), obj("5", { generation: 2 })), false);
});

test("a reconcile request annotation alone is not drift of the parent", () => {
  assert.equal(isDesiredStateChange(obj("1", { generation: 2 }), obj("2", { generation: 2, annotations: { "reconcile.fluxcd.io/requestedAt": "now" } })), false);
});
