import assert from "node:assert/strict";
import { test } from "node:test";
import { KubeApiError } from "../../../src/kube/http.ts";
import { RestMapper, UnknownKindError, type DiscoveryTransport } from "../../../src/kube/rest-mapper.ts";

type Served = Record<string, { name: string; kind: string; namespaced: boolean }[]>;

/** A fake discovery endpoint: serves the given group/versions and records every path asked for. */
function fakeServer(served: Served, groups: { name: string; versions: string[]; preferred?: string }[] = []): DiscoveryTransport & { paths: string[]; served: Served } {
  const paths: string[] = [];
  return {
    paths,
    served,
    async request(_method: string, path: string) {
      paths.push(path);
      await new Promise((r) => setImmediate(r));
      if (path === "/apis") {
        return { body: { groups: groups.map((g) => ({ name: g.name, versions: g.versions.map((v) => ({ groupVersion: `${g.name}/${v}` })), preferredVersion: { groupVersion: `${g.name}/${g.preferred ?? g.versions[0]}` } })) } };
      }
      const gv = path.startsWith("/api/") ? path.slice("/api/".length) : path.slice("/apis/".length);
      const resources = served[gv];
      if (!resources) throw new KubeApiError("GET", path, 404, { reason: "NotFound", message: "the server could not find the requested resource" }, "");
      return { body: { groupVersion: gv, resources } };
    },
  };
}

const CORE = { v1: [{ name: "configmaps", kind: "ConfigMap", namespaced: true }, { name: "namespaces", kind: "Namespace", namespaced: false }, { name: "pods/status", kind: "Pod", namespaced: true }] };

test("a mapping fetches only its own group/version, once, however many callers ask at the same time", async () => {
  const server = fakeServer({ ...CORE, "apps/v1": [{ name: "deployments", kind: "Deployment", namespaced: true }], "batch/v1": [{ name: "jobs", kind: "Job", namespaced: true }] });
  const mapper = new RestMapper(server, { retryDelayMs: 1 });
  const results = await Promise.all([mapper.mapping("apps/v1", "Deployment"), mapper.mapping("apps/v1", "Deployment"), mapper.mapping("v1", "ConfigMap")]);
  assert.deepEqual(results[0], { group: "apps", version: "v1", kind: "Deployment", resource: "deployments", namespaced: true });
  assert.equal(results[2]?.resource, "configmaps");
  assert.deepEqual(server.paths.sort(), ["/api/v1", "/apis/apps/v1"]);
  await mapper.mapping("apps/v1", "Deployment");
  assert.equal(server.paths.length, 2, "cached");
});

test("subresources are not kinds of their own", async () => {
  const mapper = new RestMapper(fakeServer(CORE), { retryDelayMs: 1, missRefetches: 1 });
  await assert.rejects(mapper.mapping("v1", "Pod"), UnknownKindError);
});

test("a miss refetches only the group/version in question, until a fresh CRD's kind is served", async () => {
  const server = fakeServer({ ...CORE, "apps/v1": [{ name: "deployments", kind: "Deployment", namespaced: true }] });
  const mapper = new RestMapper(server, { retryDelayMs: 1 });
  await mapper.mapping("apps/v1", "Deployment");
  // the CRD's group/version appears on the second look
  let looks = 0;
  const original = server.request.bind(server);
  server.request = async (method, path) => {
    if (path === "/apis/example.dev/v1" && ++looks === 2) server.served["example.dev/v1"] = [{ name: "widgets", kind: "Widget", namespaced: true }];
    return original(method, path);
  };
  const m = await mapper.mapping("example.dev/v1", "Widget");
  assert.equal(m.resource, "widgets");
  assert.deepEqual(server.paths.filter((p) => p !== "/api/v1" && p !== "/apis/apps/v1"), ["/apis/example.dev/v1", "/apis/example.dev/v1"]);
  assert.equal(server.paths.filter((p) => p === "/apis/apps/v1").length, 1, "other groups are not refetched");
});

test("a kind that never appears fails after the bounded refetches, naming the kind", async () => {
  const server = fakeServer(CORE);
  const mapper = new RestMapper(server, { retryDelayMs: 1, missRefetches: 3 });
  await assert.rejects(mapper.mapping("example.dev/v1", "Widget"), (err: Error) => err instanceof UnknownKindError && /Widget in example\.dev\/v1/.test(err.message));
  assert.equal(server.paths.filter((p) => p === "/apis/example.dev/v1").length, 4);
  assert.equal(server.paths.length, 4, "nothing but that group/version");
});

test("invalidate(group) forgets that group only", async () => {
  const server = fakeServer({ ...CORE, "apps/v1": [{ name: "deployments", kind: "Deployment", namespaced: true }], "example.dev/v1": [{ name: "widgets", kind: "Widget", namespaced: true }] });
  const mapper = new RestMapper(server, { retryDelayMs: 1 });
  await mapper.mapping("apps/v1", "Deployment");
  await mapper.mapping("example.dev/v1", "Widget");
  mapper.invalidate("example.dev");
  await mapper.mapping("apps/v1", "Deployment");
  await mapper.mapping("example.dev/v1", "Widget");
  assert.deepEqual(server.paths, ["/apis/apps/v1", "/apis/example.dev/v1", "/apis/example.dev/v1"]);
  mapper.invalidate();
  await mapper.mapping("apps/v1", "Deployment");
  assert.equal(server.paths.at(-1), "/apis/apps/v1");
});

test("preferredVersion reads the group list and the preferred group/version only", async () => {
  const server = fakeServer(
    { ...CORE, "example.dev/v2": [{ name: "widgets", kind: "Widget", namespaced: true }], "example.dev/v1": [{ name: "widgets", kind: "Widget", namespaced: true }, { name: "gadgets", kind: "Gadget", namespaced: true }] },
    [{ name: "example.dev", versions: ["v2", "v1"], preferred: "v2" }],
  );
  const mapper = new RestMapper(server, { retryDelayMs: 1 });
  assert.equal(await mapper.preferredVersion("example.dev", "Widget"), "v2");
  assert.equal(await mapper.preferredVersion("example.dev", "Gadget"), undefined, "not in the preferred version");
  assert.equal(await mapper.preferredVersion("", "ConfigMap"), "v1");
  assert.equal(await mapper.preferredVersion("", "Nothing"), undefined);
  assert.deepEqual(server.paths, ["/apis", "/apis/example.dev/v2", "/api/v1"]);
});

test("a discovery error other than 404 is not taken for a missing kind", async () => {
  const server = fakeServer(CORE);
  server.request = async (_m, path) => {
    throw new KubeApiError("GET", path, 503, { reason: "ServiceUnavailable", message: "the server is currently unable to handle the request" }, "");
  };
  const mapper = new RestMapper(server, { retryDelayMs: 1 });
  await assert.rejects(mapper.mapping("metrics.k8s.io/v1beta1", "PodMetrics"), (err: Error) => err instanceof KubeApiError && err.status === 503);
});
