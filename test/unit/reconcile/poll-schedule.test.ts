import { test } from "node:test";
import assert from "node:assert/strict";
import { dueSources, nextWake } from "../../../src/reconcile/poll-schedule.ts";
import { pollInterval } from "../../../src/reconcile/source-resolver.ts";

test("each source is polled at its own interval, counted from its last poll", () => {
  const due = new Map<string, number>();
  const sources = [{ key: "flux-system/fast", intervalMs: 5_000 }, { key: "flux-system/slow", intervalMs: 60_000 }];
  assert.equal(nextWake(sources, due, 1_000), 6_000);
  assert.deepEqual(dueSources(sources, due, 6_000).map((s) => s.key), ["flux-system/fast"]);
  due.set("flux-system/fast", 11_000); // polled at 6 s
  assert.equal(nextWake(sources, due, 6_000), 11_000);
  assert.deepEqual(dueSources(sources, due, 61_000).map((s) => s.key), ["flux-system/fast", "flux-system/slow"]);
});

test("a source found later gets its first poll one interval after it was found", () => {
  const due = new Map<string, number>([["a/one", 10_000]]);
  assert.equal(nextWake([{ key: "a/one", intervalMs: 10_000 }, { key: "a/two", intervalMs: 2_000 }], due, 9_000), 10_000);
  assert.equal(due.get("a/two"), 11_000);
  assert.equal(nextWake([], new Map(), 0), 60_000);
});

test("poll intervals come from spec.interval, at least a second, Flux's minute when unset", () => {
  assert.equal(pollInterval("30s"), 30_000);
  assert.equal(pollInterval("1m0s"), 60_000);
  assert.equal(pollInterval("10ms"), 1_000);
  assert.equal(pollInterval(undefined), 60_000);
  assert.equal(pollInterval("soon"), 60_000);
});
