import assert from "node:assert/strict";
import { test } from "node:test";
import { LiveCache } from "../../../src/apply/live-cache.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";

const cm = (rv: string, v: string): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ns", resourceVersion: rv }, data: { v } });
const ref = { group: "", kind: "ConfigMap", namespace: "ns", name: "c" };

test("an apply's answer does not overwrite what a watch delivered after the request started (a change right after our write)", () => {
  const cache = new LiveCache();
  cache.putWatched(cm("10", "drifted"));
  const mark = cache.mark(); // the correcting apply starts
  cache.putWatched(cm("12", "drifted again")); // someone changes it again before our answer arrives
  cache.putApplied(cm("11", "git"), mark);
  assert.equal(cache.get(ref)?.metadata.resourceVersion, "12");
});

test("an apply's answer is kept when no watch update came in between, and for other objects", () => {
  const cache = new LiveCache();
  cache.putWatched(cm("10", "drifted"));
  const mark = cache.mark();
  cache.putApplied(cm("11", "git"), mark);
  assert.equal(cache.get(ref)?.metadata.resourceVersion, "11");
  const other = { ...cm("20", "x"), metadata: { name: "d", namespace: "ns", resourceVersion: "20" } };
  const m2 = cache.mark();
  cache.putWatched(cm("13", "drift"));
  cache.putApplied(other, m2);
  assert.equal(cache.get({ ...ref, name: "d" })?.metadata.resourceVersion, "20");
});
