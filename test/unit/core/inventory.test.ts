import assert from "node:assert/strict";
import { test } from "node:test";
import { staleItems, toInventory, unionItems } from "../../../src/core/inventory.ts";
import { inventoryId, parseInventoryId, type ObjectRef } from "../../../src/core/object-ref.ts";

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

test("inventory ids are Flux's: a `:` in an RBAC name is written `__` and read back; `_` in an RBAC name is part of the name", () => {
  const rbac = "rbac.authorization.k8s.io";
  const cases: [ObjectRef, string][] = [
    [{ group: "", kind: "ConfigMap", namespace: "ns", name: "web" }, "ns_web__ConfigMap"],
    [{ group: "apps", kind: "Deployment", namespace: "ns", name: "web" }, "ns_web_apps_Deployment"],
    [{ group: rbac, kind: "ClusterRole", namespace: "", name: "system:metrics:reader" }, `_system__metrics__reader_${rbac}_ClusterRole`],
    [{ group: rbac, kind: "RoleBinding", namespace: "team-a", name: "team:readers" }, `team-a_team__readers_${rbac}_RoleBinding`],
    [{ group: rbac, kind: "Role", namespace: "team-a", name: "team_reader" }, `team-a_team_reader_${rbac}_Role`],
    [{ group: rbac, kind: "Role", namespace: "team-a", name: "a_" }, `team-a_a__${rbac}_Role`],
    [{ group: "", kind: "Namespace", namespace: "", name: "team-a" }, "_team-a__Namespace"],
  ];
  for (const [ref, id] of cases) {
    assert.equal(inventoryId(ref), id);
    assert.deepEqual(parseInventoryId(id), ref, id);
  }
  // written before `:` was encoded: reads as the same object
  assert.deepEqual(parseInventoryId(`_system:metrics:reader_${rbac}_ClusterRole`), cases[2]![0]);
});

test("an id that is not <namespace>_<name>_<group>_<kind> is refused, naming it", () => {
  for (const id of ["garbage", "ns_web", "ns__ConfigMap", "ns_web_apps_", ""]) {
    assert.throws(() => parseInventoryId(id), new RegExp(`invalid inventory id "${id}"`), id);
  }
});

test("an id stored with a raw `:` is not stale when the same object is in the new inventory (no prune of a kept ClusterRole)", () => {
  const rbac = "rbac.authorization.k8s.io";
  const previous = { entries: [{ id: `_system:reader_${rbac}_ClusterRole`, v: "v1" }, { id: "ns_gone__ConfigMap", v: "v1" }] };
  const current = toInventory([{ ref: { group: rbac, kind: "ClusterRole", namespace: "", name: "system:reader" }, version: "v1" }]);
  assert.deepEqual(current.entries.map((e) => e.id), [`_system__reader_${rbac}_ClusterRole`]);
  assert.deepEqual(staleItems(previous, current).map((i) => i.ref.name), ["gone"]);
});
