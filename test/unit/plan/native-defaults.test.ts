import { test } from "node:test";
import assert from "node:assert/strict";
import { withNativeDefaults } from "../../../src/plan/native-defaults.ts";

test("a Secret's stringData is applied as data (the live object never shows stringData), stringData winning", () => {
  const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { a: "eA==", b: "eQ==" }, stringData: { b: "two", c: "three" } };
  const out = withNativeDefaults(secret);
  assert.deepEqual(out["data"], { a: "eA==", b: Buffer.from("two").toString("base64"), c: Buffer.from("three").toString("base64") });
  assert.equal("stringData" in out, false);
  assert.ok("stringData" in secret, "the input is not mutated");
  const invalid = { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { port: 5432 } };
  assert.deepEqual(withNativeDefaults(invalid)["stringData"], { port: 5432 }, "non-string values are left for the API server to refuse");
});
