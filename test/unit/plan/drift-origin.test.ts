import { test } from "node:test";
import assert from "node:assert/strict";
import { describeWriter, driftReport } from "../../../src/plan/drift.ts";
import type { KubeObject, ManagedFieldsEntry } from "../../../src/core/object-ref.ts";

const OURS = "plumbline";
const entry = (manager: string, operation: "Apply" | "Update", time: string, fieldsV1: Record<string, unknown>, subresource?: string): ManagedFieldsEntry =>
  ({ manager, operation, apiVersion: "v1", time, fieldsType: "FieldsV1", fieldsV1, ...(subresource ? { subresource } : {}) });
const configMap = (data: Record<string, string> | undefined, managedFields: ManagedFieldsEntry[] = [], labels?: Record<string, string>): KubeObject => ({
  apiVersion: "v1", kind: "ConfigMap",
  metadata: { name: "settings", namespace: "apps", resourceVersion: "812", uid: "5d1c", ...(labels ? { labels } : {}), managedFields },
  ...(data ? { data } : {}),
});
const summary = (r: ReturnType<typeof driftReport>): { git: string[]; drift: string[] } => ({ git: r.fromGit.map((f) => f.path), drift: r.drift.map((f) => f.path) });

test("a value our own manager wrote that Git now changes is a change from Git, not drift", () => {
  const live = configMap({ color: "blue" }, [entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } })]);
  const applied = configMap({ color: "green" }, [entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } })]);
  const r = driftReport(applied, live, OURS);
  assert.deepEqual(summary(r), { git: ["data.color"], drift: [] });
  assert.deepEqual(r.fromGit[0], { path: "data.color", live: "blue", desired: "green", manager: OURS, time: "2026-12-01T10:00:00Z" });
});

test("a value kubectl wrote is drift with its manager and time, beside a Git change in the same object", () => {
  const fields = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } }),
    entry("kubectl-patch", "Update", "2026-12-01T11:30:00Z", { "f:data": { "f:mode": {} } }),
  ];
  const live = configMap({ color: "blue", mode: "debug" }, fields);
  const applied = configMap({ color: "green", mode: "normal" }, [entry(OURS, "Apply", "2026-12-01T12:00:00Z", { "f:data": { ".": {}, "f:color": {}, "f:mode": {} } })]);
  const r = driftReport(applied, live, OURS);
  assert.deepEqual(summary(r), { git: ["data.color"], drift: ["data.mode"] });
  assert.deepEqual(r.drift[0], { path: "data.mode", live: "debug", desired: "normal", manager: "kubectl-patch", time: "2026-12-01T11:30:00Z" });
  assert.equal(describeWriter(r.drift[0]!), "last written by kubectl-patch at 2026-12-01T11:30:00Z");
});

test("a field kubectl added that Git does not set is drift (it will be removed)", () => {
  const fields = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } }),
    entry("kubectl-label", "Update", "2026-12-01T12:00:00Z", { "f:metadata": { "f:labels": { ".": {}, "f:debug": {} } } }),
  ];
  const live = configMap({ color: "blue" }, fields, { debug: "true" });
  const applied = configMap({ color: "blue" }, fields, { debug: "true" });
  const r = driftReport(applied, live, OURS);
  assert.deepEqual(summary(r), { git: [], drift: ["metadata.labels.debug"] });
  assert.equal(r.drift[0]?.manager, "kubectl-label");
  assert.equal(r.drift[0]?.desired, "<absent>");
});

test("a value written before the first apply (kubectl create) or by a controller is drift", () => {
  const fields = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } }),
    entry("before-first-apply", "Update", "2026-11-30T09:00:00Z", { "f:data": { "f:size": {} } }),
    entry("settings-operator", "Update", "2026-12-01T10:00:05Z", { "f:data": { "f:tier": {} } }),
  ];
  const r = driftReport(configMap({ color: "blue", size: "2Gi", tier: "gold" }, fields), configMap({ color: "blue", size: "1Gi", tier: "silver" }, fields), OURS);
  assert.deepEqual(summary(r), { git: [], drift: ["data.size", "data.tier"] });
  assert.deepEqual(r.drift.map((f) => f.manager), ["before-first-apply", "settings-operator"]);
});

test("a key Git adds is a change from Git; the same missing key when Git has not changed since the last apply was removed in the cluster", () => {
  const fields = [entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } })];
  const live = configMap({ color: "blue" }, fields);
  const applied = configMap({ color: "blue", size: "1Gi" }, fields);
  assert.deepEqual(summary(driftReport(applied, live, OURS)), { git: ["data.size"], drift: [] });
  const removed = driftReport(applied, live, OURS, { desiredUnchanged: true });
  assert.deepEqual(summary(removed), { git: [], drift: ["data.size"] });
  assert.deepEqual([removed.drift[0]?.live, removed.drift[0]?.manager], ["<absent>", undefined]);
  assert.equal(describeWriter(removed.drift[0]!), "removed in the cluster");
});

test("when Git has not changed since the last apply, a value our entry still holds that differs was changed without a trace (Kubernetes < 1.22 /scale)", () => {
  const fields = [entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {} } })];
  const r = driftReport(configMap({ color: "blue" }, fields), configMap({ color: "red" }, fields), OURS, { desiredUnchanged: true });
  assert.deepEqual(summary(r), { git: [], drift: ["data.color"] });
  assert.equal(describeWriter(r.drift[0]!), "changed in the cluster, no field manager recorded");
});

test("Git dropping a key we wrote is a change from Git", () => {
  const fields = [entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:color": {}, "f:legacy": {} } })];
  const r = driftReport(configMap({ color: "blue" }, fields), configMap({ color: "blue", legacy: "yes" }, fields), OURS);
  assert.deepEqual(summary(r), { git: ["data.legacy"], drift: [] });
});

const deployment = (args: string[], revisionHistoryLimit: number, managedFields: ManagedFieldsEntry[]): KubeObject => ({
  apiVersion: "apps/v1", kind: "Deployment",
  metadata: { name: "web", namespace: "apps", generation: 4, managedFields },
  spec: { revisionHistoryLimit, template: { spec: { containers: [{ name: "main", image: "registry.example/web:1.0", args }] } } },
});
const container = (leaf: Record<string, unknown>): Record<string, unknown> => ({ "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"main"}': { ".": {}, "f:name": {}, ...leaf } } } } } });

test("an atomic list rewritten by kubectl edit is drift at every element, also one it dropped; one we wrote is Git's", () => {
  const byEdit = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", container({ "f:image": {} })),
    entry("kubectl-edit", "Update", "2026-12-01T13:00:00Z", container({ "f:args": {} })),
    entry("kube-controller-manager", "Update", "2026-12-01T13:00:01Z", { "f:status": { "f:replicas": {} } }, "status"),
  ];
  // the dry-run's forced apply takes the list back into our entry
  const afterApply = [entry(OURS, "Apply", "2026-12-01T13:05:00Z", container({ "f:image": {}, "f:args": {} })), byEdit[2]!];
  const r = driftReport(deployment(["--port=8080", "--verbose"], 10, afterApply), deployment(["--port=9090"], 10, byEdit), OURS);
  assert.deepEqual(summary(r), { git: [], drift: ["spec.template.spec.containers[0].args[0]", "spec.template.spec.containers[0].args[1]"] });
  assert.ok(r.drift.every((f) => f.manager === "kubectl-edit"));
  const byUs = [entry(OURS, "Apply", "2026-12-01T10:00:00Z", container({ "f:image": {}, "f:args": {} }))];
  assert.deepEqual(summary(driftReport(deployment(["--port=8080", "--verbose"], 10, byUs), deployment(["--port=9090"], 10, byUs), OURS)).git.length, 2);
});

test("replicas set through the scale subresource (kubectl scale on Kubernetes 1.22 and later) are drift", () => {
  const fields = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", container({ "f:image": {} })),
    entry("kubectl-scale", "Update", "2026-12-01T14:00:00Z", { "f:spec": { "f:replicas": {} } }, "scale"),
  ];
  const scaled = { ...deployment([], 10, fields), spec: { ...(deployment([], 10, fields)["spec"] as object), replicas: 7 } };
  const applied = { ...deployment([], 10, fields), spec: { ...(deployment([], 10, fields)["spec"] as object), replicas: 2 } };
  const r = driftReport(applied, scaled, OURS);
  assert.deepEqual(summary(r), { git: [], drift: ["spec.replicas"] });
  assert.deepEqual([r.drift[0]?.manager, r.drift[0]?.time, r.drift[0]?.live, r.drift[0]?.desired], ["kubectl-scale", "2026-12-01T14:00:00Z", "7", "2"]);
});

test("a default nobody wrote that Git now sets is a change from Git; status and metadata bookkeeping are not compared", () => {
  const fields = [entry(OURS, "Apply", "2026-12-01T10:00:00Z", container({ "f:image": {} }))];
  const live = { ...deployment([], 10, fields), status: { replicas: 1 } };
  const applied = { ...deployment([], 3, fields), status: { replicas: 2 }, metadata: { ...deployment([], 3, fields).metadata, generation: 5 } };
  assert.deepEqual(summary(driftReport(applied, live, OURS)), { git: ["spec.revisionHistoryLimit"], drift: [] });
});

test("Secret values stay masked in drift and in Git changes", () => {
  const fields = [
    entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:data": { ".": {}, "f:user": {} } }),
    entry("kubectl-edit", "Update", "2026-12-01T11:00:00Z", { "f:data": { "f:password": {} } }),
  ];
  const secret = (user: string, password: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "apps", managedFields: fields }, data: { user, password } });
  const r = driftReport(secret("YWRtaW4=", "czNjcjN0"), secret("cm9vdA==", "aHVudGVyMg=="), OURS);
  assert.deepEqual(summary(r), { git: ["data.user"], drift: ["data.password"] });
  for (const f of [...r.fromGit, ...r.drift]) assert.deepEqual([f.live, f.desired], ["<redacted>", "<redacted>"]);
});

test("a Namespace's kubernetes.io/metadata.name label, which the API server sets and puts back, is never drift; a label kubectl added beside it is", () => {
  const created = entry("kubectl-create", "Update", "2026-12-01T09:00:00Z", { "f:metadata": { "f:labels": { ".": {}, "f:kubernetes.io/metadata.name": {}, "f:team": {} } } });
  const ns = (labels: Record<string, string>, managedFields: ManagedFieldsEntry[]): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system", resourceVersion: "90", uid: "77aa", labels, managedFields } });
  const live = ns({ "kubernetes.io/metadata.name": "flux-system", team: "platform" }, [created]);
  // the dry-run of the takeover still shows what kubectl-create holds; our own entry covers neither label
  const applied = ns({ "kubernetes.io/metadata.name": "flux-system", team: "platform" }, [created, entry(OURS, "Apply", "2026-12-01T10:00:00Z", { "f:metadata": { "f:labels": { "f:kustomize.toolkit.fluxcd.io/name": {} } } })]);
  assert.deepEqual(summary(driftReport(applied, live, OURS)), { git: [], drift: ["metadata.labels.team"] });
});
