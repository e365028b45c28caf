import assert from "node:assert/strict";
import { test } from "node:test";
import { staleItems, toInventory, unionItems } from "../../../src/core/inventory.ts";

const item = (name: string, version = "v1") => ({ ref: { group: "", kind: "ConfigMap", namespace: "ns", name }, version });

test("unionItems keeps each object once, the later list's version winning", () => {
  const merged = unionItems([item("a"), item("b", "v1beta1")], [item("b"), item("c")]);
  assert.deepEqual(toInventory(merged).entries, [
    { id: "ns_a__ConfigMap", v: "v1" },
    { id: "ns_b__ConfigMap", v: "v1" },
    { id: "ns_c__ConfigMap", v: "v1" },
  ]);
});

test("after a partly failed apply, the union keeps previous entries out of prune's reach", () => {
  const previous = toInventory([item("a"), item("b")]);
  const afterFailure = toInventory(unionItems([item("a"), item("b")], [item("c")]));
  assert.deepEqual(staleItems(previous, afterFailure), []);
});
