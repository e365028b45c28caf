import assert from "node:assert/strict";
import { test } from "node:test";
import { refOf, type KubeObject } from "../../../src/core/object-ref.ts";
import { afterDryRun, beforeDryRun, dryRunCreates, existenceQueries, kindsToList, mayBeNewStage, type ObjectFlags } from "../../../src/plan/apply-decision.ts";

const M = "kustomize-controller";
const override: ObjectFlags = { reconcileDisabled: false, ssa: "Override" };
const desired: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "ns" }, data: { a: "1" } };

function live(data: Record<string, string>, managers: { manager: string; operation: string }[] = [{ manager: M, operation: "Apply" }]): KubeObject {
  return {
    apiVersion: "v1", kind: "ConfigMap", data,
    metadata: {
      name: "cm", namespace: "ns", resourceVersion: "42", uid: "u",
      managedFields: managers.map((m) => ({ ...m, apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: { "f:data": { "f:a": {} } } })),
    },
  };
}

test("an object listed under our labels and already matching needs no request at all", () => {
  assert.equal(beforeDryRun(desired, override, live({ a: "1" }), M), "unchanged");
});

test("a listed object that differs, or is not ours yet, or is not listed, goes to the dry-run without a GET", () => {
  assert.equal(beforeDryRun(desired, override, live({ a: "2" }), M), "dry-run");
  assert.equal(beforeDryRun(desired, override, live({ a: "1" }, [{ manager: "kubectl-edit", operation: "Update" }, { manager: M, operation: "Apply" }]), M), "dry-run", "a kubectl manager holds fields");
  assert.equal(beforeDryRun(desired, override, live({ a: "1" }, []), M), "dry-run", "no Apply entry of ours");
  assert.equal(beforeDryRun(desired, override, undefined, M), "dry-run", "not listed: the dry-run tells whether it exists");
});

test("skipped objects and ssa: IfNotPresent", () => {
  assert.equal(beforeDryRun(desired, { reconcileDisabled: true, ssa: "Override" }, live({ a: "2" }), M), "skip");
  assert.equal(beforeDryRun(desired, { reconcileDisabled: false, ssa: "Ignore" }, undefined, M), "skip");
  assert.equal(beforeDryRun(desired, { reconcileDisabled: false, ssa: "IfNotPresent" }, live({ a: "2" }), M), "skip");
  assert.equal(beforeDryRun(desired, { reconcileDisabled: false, ssa: "IfNotPresent" }, undefined, M), "read-live", "it may exist without our labels: look before writing");
});

test("a dry-run without a resourceVersion would create the object; with one, the object exists", () => {
  const created: KubeObject = { ...desired, metadata: { ...desired.metadata, uid: "new", creationTimestamp: "2026-01-01T00:00:00Z" } };
  const existing: KubeObject = { ...desired, metadata: { ...desired.metadata, uid: "old", resourceVersion: "17" } };
  assert.equal(dryRunCreates(created), true);
  assert.equal(dryRunCreates(existing), false);
  assert.equal(afterDryRun(created, undefined), "create");
  assert.equal(afterDryRun(existing, undefined), "read-live", "exists without our labels: read it for the takeover and the comparison");
  assert.equal(afterDryRun(existing, live({ a: "2" })), "compare");
  assert.equal(afterDryRun(created, live({ a: "2" })), "compare", "a listed live object is compared, whatever the dry-run says");
});

test("kindsToList: every kind of the objects without a previous inventory, else only kinds it holds (none on a first apply)", () => {
  const objs: KubeObject[] = [
    desired,
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "ns" } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "ns" } },
    { apiVersion: "example.dev/v2", kind: "Widget", metadata: { name: "w", namespace: "ns" } },
  ];
  const all = kindsToList(objs).map((k) => `${k.apiVersion}/${k.kind}`);
  assert.deepEqual(all, ["v1/ConfigMap", "apps/v1/Deployment", "example.dev/v2/Widget"]);
  assert.deepEqual(kindsToList(objs, []), [], "first apply: nothing of ours to list");
  const previous = [{ ref: { group: "apps", kind: "Deployment" } }, { ref: { group: "example.dev", kind: "Widget" } }, { ref: { group: "", kind: "Secret" } }];
  // by group and kind: a Widget listed under v1 before is listed under the version now rendered
  assert.deepEqual(kindsToList(objs, previous).map((k) => `${k.apiVersion}/${k.kind}`), ["apps/v1/Deployment", "example.dev/v2/Widget"]);
});

test("a stage may be new only when the previous inventory is known and neither it nor the live cache holds any of its objects", () => {
  const other: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "ns" } };
  const none = (): boolean => false;
  assert.equal(mayBeNewStage([desired, other], undefined, none), false, "unknown history");
  assert.equal(mayBeNewStage([desired, other], [], none), true);
  assert.equal(mayBeNewStage([desired, other], [{ ref: refOf(other) }], none), false, "one was applied before");
  assert.equal(mayBeNewStage([desired, other], [{ ref: { ...refOf(other), name: "t" } }], none), true, "another object of the same kind");
  assert.equal(mayBeNewStage([desired, other], [], (ref) => ref.kind === "ConfigMap"), false, "one is live under our labels");
});

test("existence queries group objects by apiVersion, kind and namespace; cluster-scoped ones have no namespace", () => {
  const objs: KubeObject[] = [
    desired,
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "ns" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "other" } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "cm", namespace: "ns" } },
  ];
  assert.deepEqual(existenceQueries(objs), [
    { apiVersion: "v1", kind: "ConfigMap", namespace: "ns", names: ["cm", "b"] },
    { apiVersion: "v1", kind: "ConfigMap", namespace: "other", names: ["c"] },
    { apiVersion: "v1", kind: "Namespace", namespace: undefined, names: ["ns"] },
    { apiVersion: "apps/v1", kind: "Deployment", namespace: "ns", names: ["cm"] },
  ]);
});
