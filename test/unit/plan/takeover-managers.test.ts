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
