import assert from "node:assert/strict";
import { test } from "node:test";
import { sameFetchInputs } from "../../../src/reconcile/source-resolver.ts";

test("sameFetchInputs: the interval does not matter; url, ref, ignore, timeout and credentials do", () => {
  const base = { url: "https://example.com/repo.git", ref: { branch: "main" }, interval: "1m" };
  assert.equal(sameFetchInputs(base, { ...base, interval: "10m" }), true);
  assert.equal(sameFetchInputs(base, { ...base, ref: { tag: "v1" } }), false);
  assert.equal(sameFetchInputs(base, { ...base, url: "https://example.com/other.git" }), false);
  assert.equal(sameFetchInputs(base, { ...base, ignore: "/docs" }), false);
  assert.equal(sameFetchInputs(base, { ...base, timeout: "30s" }), false);
  assert.equal(sameFetchInputs(base, { ...base, timeout: "60s" }), true, "unset is the CRD default");
  assert.equal(sameFetchInputs(base, { ...base, timeout: "1m" }), true);
  assert.equal(sameFetchInputs(base, { ...base, secretRef: { name: "creds" } }), false);
});
