import assert from "node:assert/strict";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { entriesToEvict, isCacheable, renderCacheKey } from "../../../src/render/render-cache-key.ts";

const spec: KustomizationSpec = { interval: "10m", path: "./apps", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };
const base = { digest: "sha256:aaaa", spec, kustomize: "/usr/bin/kubectl|kustomize|123|456" };

test("the key is stable for the same inputs and ignores what does not reach kustomize", () => {
  const k = renderCacheKey(base);
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(renderCacheKey({ ...base, spec: { ...spec } }), k);
  // applied after kustomize (or not part of the build at all): same key
  const same: Partial<KustomizationSpec>[] = [
    { interval: "1h" }, { prune: false }, { force: true }, { wait: true }, { timeout: "2m" },
    { commonMetadata: { labels: { team: "a" } } },
    { postBuild: { substitute: { CLUSTER: "prod" } } },
    { dependsOn: [{ name: "infra" }] },
  ];
  for (const extra of same) assert.equal(renderCacheKey({ ...base, spec: { ...spec, ...extra } }), k, JSON.stringify(extra));
});

test("every input kustomize's output depends on changes the key", () => {
  const k = renderCacheKey(base);
  const variants = [
    { ...base, digest: "sha256:bbbb" },
    { ...base, kustomize: "/usr/local/bin/kustomize|build|123|456" },
    { ...base, kustomize: "/usr/bin/kubectl|kustomize|123|457" },
    ...([
      { path: "./apps/prod" }, { path: undefined }, { targetNamespace: "prod" }, { namePrefix: "p-" }, { nameSuffix: "-s" },
      { patches: [{ patch: "- op: remove\n  path: /spec/replicas", target: { kind: "Deployment" } }] },
      { images: [{ name: "web", newTag: "2" }] }, { components: ["../components/x"] },
    ] as Partial<KustomizationSpec>[]).map((extra) => ({ ...base, spec: { ...spec, ...extra } })),
  ];
  const keys = variants.map(renderCacheKey);
  for (const [i, key] of keys.entries()) assert.notEqual(key, k, `variant ${i}`);
  assert.equal(new Set(keys).size, keys.length, "all variants differ from each other");
});

test("renders with decryption, or without a digest, are never cached", () => {
  assert.equal(isCacheable({ digest: "sha256:aaaa", decrypts: false }), true);
  assert.equal(isCacheable({ digest: "sha256:aaaa", decrypts: true }), false);
  assert.equal(isCacheable({ digest: undefined, decrypts: false }), false);
  assert.equal(isCacheable({ digest: "", decrypts: false }), false);
});

test("eviction keeps the most recently used entries within the count and size bounds", () => {
  const e = (name: string, size: number, mtimeMs: number) => ({ name, size, mtimeMs });
  const entries = [e("old.json", 10, 1), e("new.json", 10, 4), e("mid.json", 10, 2), e("newer.json", 10, 3)];
  assert.deepEqual(entriesToEvict(entries, 10, 1000), []);
  assert.deepEqual(entriesToEvict(entries, 2, 1000).sort(), ["mid.json", "old.json"]);
  assert.deepEqual(entriesToEvict(entries, 10, 25).sort(), ["mid.json", "old.json"]);
  assert.deepEqual(entriesToEvict([e("huge.json", 100, 9), e("small.json", 1, 1)], 10, 50), ["huge.json", "small.json"], "a newest entry over the size bound goes too");
});
