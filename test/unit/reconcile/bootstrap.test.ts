import { test } from "node:test";
import assert from "node:assert/strict";
import { bootstrapObjects, bootstrapPath } from "../../../src/reconcile/sync.ts";

test("bootstrap paths are written as flux bootstrap writes them", () => {
  assert.equal(bootstrapPath("clusters/production"), "./clusters/production");
  assert.equal(bootstrapPath("./clusters/production/"), "./clusters/production");
  assert.equal(bootstrapPath("."), "./");
  assert.equal(bootstrapPath("./"), "./");
});

test("bootstrap objects carry the root Kustomization's owner labels, so Git's copies apply as unchanged", () => {
  const b = bootstrapObjects({ url: "https://example.invalid/fleet.git", ref: { branch: "main" }, path: "clusters/production", namespace: "gitops" });
  for (const o of [b.namespace, b.source, b.kustomization]) {
    assert.deepEqual(o.metadata.labels, { "kustomize.toolkit.fluxcd.io/name": "flux-system", "kustomize.toolkit.fluxcd.io/namespace": "gitops" });
  }
  assert.equal(b.namespace.metadata.name, "gitops");
  assert.equal((b.kustomization["spec"] as { path: string }).path, "./clusters/production");
});
