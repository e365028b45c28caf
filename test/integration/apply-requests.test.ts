/**
 * Which requests the staged applier makes: no GET for objects the dry-run shows absent (and only their metadata
 * asked for), none at all when unchanged, and no dry-run in a stage none of whose objects exists yet.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyObjects, type ApplyContext } from "../../src/apply/applier.ts";
import { LiveCache } from "../../src/apply/live-cache.ts";
import { ApplyError } from "../../src/core/errors.ts";
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
  assert.deepEqual(seen.filter((r) => r.startsWith("GET ") && r.endsWith(" (metadata)")).map((r) => r.split(" ")[1]).sort(), ["one", "two"].map((n) => `/api/v1/namespaces/${ns}/configmaps/${n}`), "the existence check (a new stage?) found both");
  assert.equal(seen.filter((r) => r.startsWith("GET ") && !r.endsWith(" (metadata)")).length, 2, "one GET per object the dry-run showed existing");
  for (const c of again) assert.equal(c.object?.metadata.resourceVersion, first.find((f) => f.ref.name === c.ref.name)?.object?.metadata.resourceVersion);
});

const secret = (ns: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData: { k: name } });
const service = (ns: string, name: string): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { ports: [{ port: 80 }] } });

test("a new stage (first apply, none of its objects exists): one metadata-only query per kind and namespace, then creates without dry-runs", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  // three Services in a namespace holding none: the list's metadata-only answer has "items": null
  const objects = [...["a", "b", "c"].map((n) => cm(ns, n, { v: n })), secret(ns, "s"), ...["x", "y", "z"].map((n) => service(ns, n))].map(withOwner);
  await kube.mapping("v1", "ConfigMap");
  await kube.mapping("v1", "Secret");
  const seen = recordRequests(kube);
  const changes = await applyObjects(objects, { ...ctxFor(kube), previous: [] });
  assert.deepEqual(changes.map((c) => `${c.ref.kind}/${c.ref.name}:${c.action}`), ["Secret/s:created", "ConfigMap/a:created", "ConfigMap/b:created", "ConfigMap/c:created", "Service/x:created", "Service/y:created", "Service/z:created"]);
  const queries = seen.filter((r) => r.startsWith("GET "));
  assert.deepEqual(queries.sort(), [`GET /api/v1/namespaces/${ns}/configmaps?limit=500 (metadata)`, `GET /api/v1/namespaces/${ns}/secrets/s (metadata)`, `GET /api/v1/namespaces/${ns}/services?limit=500 (metadata)`]);
  assert.equal(seen.filter((r) => r.includes("dryRun=All")).length, 0, "no dry-run");
  assert.equal(seen.filter((r) => r.startsWith("PATCH ")).length, 7, "one apply each");
  assert.equal((await kube.get("v1", "ConfigMap", ns, "b"))?.metadata.managedFields?.[0]?.manager, FIELD_MANAGER);
});

test("a new stage with an object the server rejects: what went before it stays created (and is reported as written), nothing starts after it", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  const bad: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: ns }, data: { a: 1 as unknown as string } };
  const objects = [service(ns, "web"), cm(ns, "good", { a: "1" }), bad, secret(ns, "s")].map(withOwner);
  // one at a time, so "after it" is exact: Secret, then ConfigMaps bad and good (by name), then the Service
  const err = await applyObjects(objects, { ...ctxFor(kube), previous: [], concurrency: 1 }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApplyError, String(err));
  assert.match(err.message, /^resources stage: ConfigMap\/.+\/bad: create failed: .*\(1 objects of this new stage were created and stay in the inventory\)$/);
  assert.ok(!/dry-run/.test(err.message));
  assert.deepEqual(err.written.map((w) => `${w.ref.kind}/${w.ref.name}`), ["Secret/s"]);
  assert.ok(await kube.get("v1", "Secret", ns, "s"));
  assert.equal(await kube.get("v1", "ConfigMap", ns, "good"), undefined, "not attempted after the failure");
  assert.equal(await kube.get("v1", "Service", ns, "web"), undefined, "not attempted after the failure");
});

test("a stage with one object already in the cluster takes the dry-run path: a failing dry-run writes nothing, even on a first apply", async (t) => {
  const { kube, ns } = await testSetup(t, "req");
  await kube.http.request("POST", `/api/v1/namespaces/${ns}/configmaps`, { body: cm(ns, "existing", { a: "manual" }) });
  const bad: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bad", namespace: ns }, data: { a: 1 as unknown as string } };
  const objects = [cm(ns, "existing", { a: "git" }), secret(ns, "s"), bad].map(withOwner);
  await assert.rejects(applyObjects(objects, { ...ctxFor(kube), previous: [] }), /ConfigMap\/.*bad.*dry-run failed/);
  assert.equal(await kube.get("v1", "Secret", ns, "s"), undefined);
  assert.deepEqual((await kube.get("v1", "ConfigMap", ns, "existing"))?.["data"], { a: "manual" });
});

test("a new stage in a namespace the same apply creates: no existence query there; with keepObjects false, creates answer with metadata only (Namespaces whole)", async (t) => {
  const { kube } = await testSetup(t, "req");
  const fresh = `req-fresh-${process.pid}-${Date.now() % 100000}`;
  t.after(() => kube.delete("v1", "Namespace", undefined, fresh).then(() => undefined, () => undefined));
  const objects = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: fresh } }, ...["a", "b", "c"].map((n) => cm(fresh, n, { v: n })), secret(fresh, "s")].map(withOwner);
  await kube.mapping("v1", "Namespace");
  await kube.mapping("v1", "ConfigMap");
  await kube.mapping("v1", "Secret");
  const seen = recordRequests(kube);
  const cache = new LiveCache();
  const changes = await applyObjects(objects, { ...ctxFor(kube), cache, previous: [], keepObjects: false });
  assert.deepEqual(changes.map((c) => `${c.ref.kind}/${c.ref.name}:${c.action}`), ["Namespace/" + fresh + ":created", "Secret/s:created", "ConfigMap/a:created", "ConfigMap/b:created", "ConfigMap/c:created"]);
  assert.deepEqual(seen.filter((r) => r.startsWith("GET ")), [`GET /api/v1/namespaces/${fresh} (metadata)`], "only the Namespace itself was looked up");
  const applies = seen.filter((r) => r.startsWith("PATCH "));
  assert.equal(applies.length, 5);
  assert.ok(applies.filter((r) => !r.includes("/namespaces/" + fresh + "?")).every((r) => r.endsWith(" (metadata)")), "objects answered with metadata only");
  assert.ok(!applies.find((r) => r.includes("/namespaces/" + fresh + "?"))?.endsWith(" (metadata)"), "the Namespace whole (its phase is read)");
  assert.equal(changes.find((c) => c.ref.kind === "Namespace")?.object?.metadata.name, fresh);
  assert.equal(changes.find((c) => c.ref.kind === "ConfigMap")?.object, undefined, "no half object handed on");
  assert.deepEqual(cache.kinds().map((k) => k.kind).sort(), ["ConfigMap", "Namespace", "Secret"], "watch mode still learns every kind");
  assert.deepEqual((await kube.get("v1", "ConfigMap", fresh, "b"))?.["data"], { v: "b" });
});
