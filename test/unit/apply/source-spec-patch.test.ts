import assert from "node:assert/strict";
import { test } from "node:test";
import { sourceSpecPatch } from "../../../src/apply/ensure-object.ts";

test("a new ref replaces the stored one wholly: every stored key the new ref lacks is sent as null", () => {
  const url = "https://git.example/fleet.git";
  assert.deepEqual(sourceSpecPatch({ url, ref: { branch: "main" } }, { url, ref: { commit: "abc" }, interval: "1m" }), { ref: { commit: null, branch: "main" } });
  assert.deepEqual(sourceSpecPatch({ url, ref: { branch: "main" } }, { url, ref: { branch: "main", semver: "not a range" } }), { ref: { semver: null, branch: "main" } });
  assert.deepEqual(sourceSpecPatch({ url, ref: { tag: "v1" } }, { url }), { ref: { tag: "v1" } });
});

test("unchanged url, ref and secretRef need no patch; a dropped secretRef is removed", () => {
  const url = "https://git.example/fleet.git";
  assert.equal(sourceSpecPatch({ url, ref: { branch: "main" } }, { url, ref: { branch: "main" }, interval: "5m", timeout: "20s" }), undefined);
  assert.deepEqual(sourceSpecPatch({ url, ref: { branch: "main" } }, { url, ref: { branch: "main" }, secretRef: { name: "flux-system" } }), { secretRef: null });
  assert.deepEqual(sourceSpecPatch({ url: "https://other.example/x.git", ref: { branch: "main" } }, { url, ref: { branch: "main" } }), { url: "https://other.example/x.git" });
});
