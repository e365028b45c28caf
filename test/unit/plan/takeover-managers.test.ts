import { test } from "node:test";
import assert from "node:assert/strict";
import { isTakeoverManager } from "../../../src/plan/managed-fields.ts";

const entry = (manager: string, fieldsV1: Record<string, unknown>): Parameters<typeof isTakeoverManager>[0] => ({ manager, operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1 });
const requestOnly = { "f:metadata": { "f:annotations": { ".": {}, "f:reconcile.fluxcd.io/requestedAt": {} } } };

test("a kubectl-annotate entry holding only reconcile.fluxcd.io/requestedAt is a pending request, not drift to take over", () => {
  assert.equal(isTakeoverManager(entry("kubectl-annotate", requestOnly), "plumbline"), false);
});

test("kubectl managers holding anything else are taken over", () => {
  assert.equal(isTakeoverManager(entry("kubectl-annotate", { "f:metadata": { "f:annotations": { "f:note": {}, "f:reconcile.fluxcd.io/requestedAt": {} } } }), "plumbline"), true);
  assert.equal(isTakeoverManager(entry("kubectl-edit", { "f:spec": { "f:replicas": {} } }), "plumbline"), true);
  assert.equal(isTakeoverManager(entry("kubectl-annotate", { ...requestOnly, "f:spec": { "f:suspend": {} } }), "plumbline"), true);
  assert.equal(isTakeoverManager(entry("plumbline", requestOnly), "plumbline"), false);
});

test("a takeover moves everything but a pending request: the request stays with its manager", async () => {
  const { takeOverManagedFields } = await import("../../../src/apply/take-ownership.ts");
  const live = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization",
    metadata: {
      name: "apps", namespace: "flux-system",
      managedFields: [
        { manager: "plumbline", operation: "Apply", apiVersion: "kustomize.toolkit.fluxcd.io/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:path": {} } } },
        entry("kubectl-annotate", { "f:metadata": { "f:annotations": { ".": {}, "f:note": {}, "f:reconcile.fluxcd.io/requestedAt": {} } } }),
      ],
    },
  };
  const next = takeOverManagedFields(live, "plumbline");
  assert.ok(next);
  const ours = next.find((e) => e.manager === "plumbline");
  assert.deepEqual(ours?.fieldsV1, { "f:spec": { "f:path": {} }, "f:metadata": { "f:annotations": { "f:note": {} } } });
  const theirs = next.find((e) => e.manager === "kubectl-annotate");
  assert.deepEqual(theirs?.fieldsV1, { "f:metadata": { "f:annotations": { "f:reconcile.fluxcd.io/requestedAt": {} } } });
});
