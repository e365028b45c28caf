/**
 * Which requests the staged applier makes: no GET for objects the dry-run shows absent (and only their metadata
 * asked for), none at all when unchanged.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyObjects, type ApplyContext } from "../../src/apply/applier.ts";
import { LiveCache } from "../../src/apply/live-cache.ts";
import { FIELD_MANAGER } from "../../src/core/flux-api.ts";
import type { KubeObject } from "../../src/core/object-ref.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { testSetup } from "../support/cluster.ts";

/** Records "METHOD path?query" of every request, object names kept; " (metadata)" marks metadata-only answers. */
function recordRequests(kube: KubeClient): string[] {
  const seen: string[] = [];
  const original = kube.http.request.bind(kube.http);
  kube.http.request = (method, path, opts) => {
    seen.push(`${method} ${path}${opts?.accept?.includes("PartialObjectMetadata") ? " (metadata)" : ""}`);
    return original(method, path, opts);
  };
  return seen;
}

const cm = (ns: string, name: string, data: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data });
const ctxFor = (kube: KubeClient): ApplyContext => ({ kube, owner: { name: "app", namespace: "flux-system" }, force: false, events: () => {}, cache: new LiveCache() });
const withOwner = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata, labels: { "kustomize.toolkit.fluxcd.io/name": "app", "kustomize.toolkit.fluxcd.io/namespace": "flux-system" } } });

test("first apply: a dry-run and an apply per new object, a GET only for the one that exists without our labels (taken over)", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  // created by hand with kubectl: no owner labels, fields held by a kubectl manager
  await kube.http.request("POST", `/api/v1/namespaces/${ns}/configmaps?fieldManager=kubectl-client-side-apply`, { body: cm(ns, "existing", { a: "manual", extra: "x" }) });
  const objects = [cm(ns, "existing", { a: "git" }), ...["one", "two", "three"].map((n) => cm(ns, n, { a: n }))].map(withOwner);
  await kube.mapping("v1", "ConfigMap"); // discovery out of the count
  const seen = recordRequests(kube);
  const changes = await applyObjects(objects, ctxFor(kube));
  assert.deepEqual(changes.map((c) => `${c.ref.name}:${c.action}`).sort(), ["existing:configured", "one:created", "three:created", "two:created"]);
  const gets = seen.filter((r) => r.startsWith("GET ") && !r.includes("labelSelector"));
  assert.deepEqual(gets, [`GET /api/v1/namespaces/${ns}/configmaps/existing`]);
  // unlisted objects: a metadata-only dry-run each; the one found existing gets a full dry-run to compare after its GET
  const dryRuns = seen.filter((r) => r.startsWith("PATCH ") && r.includes("dryRun=All"));
  assert.equal(dryRuns.filter((r) => r.endsWith(" (metadata)")).length, 4);
  assert.deepEqual(dryRuns.filter((r) => !r.endsWith(" (metadata)")).map((r) => r.split("?")[0]), [`PATCH /api/v1/namespaces/${ns}/configmaps/existing`]);
  assert.ok(seen.indexOf(gets[0] as string) < seen.indexOf(dryRuns.find((r) => !r.endsWith(" (metadata)")) as string), "GET before the full dry-run");
  const writes = seen.filter((r) => r.startsWith("PATCH ") && !r.includes("dryRun=All") && r.includes("fieldManager="));
  assert.equal(writes.length, 4);
  assert.ok(writes.every((r) => !r.endsWith(" (metadata)")), "applies return whole objects (health, live cache)");
  const existing = await kube.get("v1", "ConfigMap", ns, "existing");
  assert.deepEqual(existing?.["data"], { a: "git" }, "the kubectl-owned field Git does not set is gone: ownership was taken over");
  assert.equal(existing?.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "app");
  assert.ok(existing?.metadata.managedFields?.some((e) => e.manager === FIELD_MANAGER && e.operation === "Apply"));

  // a second apply from a fresh cache: one list, nothing else, and no resourceVersion moves
  const rvs = new Map(changes.map((c) => [c.ref.name, c.object?.metadata.resourceVersion]));
  seen.length = 0;
  const again = await applyObjects(objects, ctxFor(kube));
  assert.ok(again.every((c) => c.action === "unchanged"), JSON.stringify(again.map((c) => c.action)));
  assert.deepEqual(seen.map((r) => r.split("?")[0]), [`GET /api/v1/configmaps`]);
  for (const c of again) assert.equal(c.object?.metadata.resourceVersion, rvs.get(c.ref.name));
});

test("a failing dry-run in a stage writes nothing of that stage, new objects included", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  const bad: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: ns }, data: { a: 1 as unknown as string } };
  const objects = [cm(ns, "good-1", { a: "1" }), bad, cm(ns, "good-2", { a: "2" })].map(withOwner);
  const seen = recordRequests(kube);
  await assert.rejects(applyObjects(objects, ctxFor(kube)), /ConfigMap\/.*bad.*dry-run failed/);
  assert.equal(seen.filter((r) => r.startsWith("PATCH ") && !r.includes("dryRun=All")).length, 0, "no write");
  assert.equal(await kube.get("v1", "ConfigMap", ns, "good-1"), undefined);
  assert.equal(await kube.get("v1", "ConfigMap", ns, "good-2"), undefined);
});

test("first apply (empty previous inventory) lists nothing; objects already carrying our labels are found through the dry-run and left unchanged", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  const objects = ["one", "two"].map((n) => withOwner(cm(ns, n, { a: n })));
  const first = await applyObjects(objects, { ...ctxFor(kube), previous: [] });
  assert.deepEqual(first.map((c) => c.action), ["created", "created"]);
  // the same objects again as if the Kustomization had been recreated (its status, so its inventory, gone)
  const seen = recordRequests(kube);
  const again = await applyObjects(objects, { ...ctxFor(kube), previous: [] });
  assert.deepEqual(again.map((c) => c.action), ["unchanged", "unchanged"]);
  assert.equal(seen.filter((r) => r.includes("labelSelector")).length, 0, "no list");
  assert.equal(seen.filter((r) => r.startsWith("PATCH ") && !r.includes("dryRun=All")).length, 0, "no write");
  assert.equal(seen.filter((r) => r.startsWith("GET ")).length, 2, "one GET per object the dry-run showed existing");
  for (const c of again) assert.equal(c.object?.metadata.resourceVersion, first.find((f) => f.ref.name === c.ref.name)?.object?.metadata.resourceVersion);
});
