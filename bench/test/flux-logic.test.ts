import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { fluxInputs, fluxKustomization } from "../flux-objects.ts";
import { fluxVersion } from "../flux-controllers.ts";
import { aheadVerdict, fluxRows } from "../flux-report.ts";
import { fluxReady, handledAt } from "../flux-watch.ts";
import { withoutCelRules } from "../flux-run.ts";
import { clientWrites, procUsage, serverDryRuns, statusPeakRssKiB, sumCounter } from "../proc-stats.ts";
import type { Results } from "../report.ts";
import { sizeProfile } from "../sizes.ts";

const STATUS = `Name:\tsource-controller
VmPeak:\t 1300000 kB
VmSize:\t 1290000 kB
VmHWM:\t   81234 kB
VmRSS:\t   80000 kB
Threads:\t12
`;

test("statusPeakRssKiB reads VmHWM (not VmPeak or VmRSS) from /proc/<pid>/status", () => {
  assert.equal(statusPeakRssKiB(STATUS), 81234);
  assert.equal(statusPeakRssKiB("Name:\tx\nVmRSS:\t 10 kB\n"), undefined);
});

test("procUsage sums CPU deltas and peaks of the processes that are still there", () => {
  const u = procUsage([{ cpuMs: 1000, peakRssKiB: 1 }, { cpuMs: 200, peakRssKiB: 1 }], [{ cpuMs: 4000, peakRssKiB: 90_000 }, { cpuMs: 700, peakRssKiB: 60_000 }]);
  assert.deepEqual(u, { cpuMs: 3500, peakRssKiB: 150_000 });
  assert.deepEqual(procUsage([{ cpuMs: 10, peakRssKiB: 5 }], [undefined]), { cpuMs: 0, peakRssKiB: 0 });
});

const CONTROLLER_METRICS = `# HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",host="127.0.0.1:6443",method="GET"} 120
rest_client_requests_total{code="200",host="127.0.0.1:6443",method="PATCH"} 2040
rest_client_requests_total{code="201",host="127.0.0.1:6443",method="POST"} 12
rest_client_requests_total{code="409",host="127.0.0.1:6443",method="PUT"} 1
rest_client_requests_total_other{method="PATCH"} 99
workqueue_adds_total{name="kustomization"} 7
`;

test("clientWrites counts a controller's non-GET requests, only of rest_client_requests_total", () => {
  assert.equal(clientWrites(CONTROLLER_METRICS), 2053);
  assert.equal(sumCounter(CONTROLLER_METRICS, "rest_client_requests_total"), 2173);
});

test("serverDryRuns counts the API server's requests with a dry_run label", () => {
  const text = [
    'apiserver_request_total{code="200",component="apiserver",dry_run="All",group="",resource="configmaps",scope="resource",subresource="",verb="APPLY",version="v1"} 1000',
    'apiserver_request_total{code="201",component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="APPLY",version="v1"} 1000',
    'apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="resource",subresource="",verb="GET",version="v1"} 5',
    'apiserver_request_duration_seconds_count{dry_run="All",verb="APPLY"} 1000',
  ].join("\n");
  assert.equal(serverDryRuns(text), 1000);
});

test("fluxReady needs Ready=True for the current generation; handledAt reads the reconcile token", () => {
  const base = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "a", generation: 2 } };
  assert.equal(fluxReady({ ...base, status: { observedGeneration: 2, conditions: [{ type: "Ready", status: "True" }] } } as never), true);
  assert.equal(fluxReady({ ...base, status: { observedGeneration: 1, conditions: [{ type: "Ready", status: "True" }] } } as never), false, "an older generation's Ready");
  assert.equal(fluxReady({ ...base, status: { observedGeneration: 2, conditions: [{ type: "Ready", status: "Unknown" }] } } as never), false);
  assert.equal(handledAt({ ...base, status: { lastHandledReconcileAt: "t1" } } as never), "t1");
});

test("fluxInputs: Flux's own namespaces and CRD group, a 6-level chain, and N units of 4 objects at each case 5 size", () => {
  const f = fluxInputs(sizeProfile("default"));
  assert.ok(f.apply.namespaces.every((n) => n.metadata.name?.startsWith("bf-")));
  assert.equal(f.apply.crd.metadata.name, "widgets.f.bench.plumbline.dev");
  assert.deepEqual(f.many.map((m) => m.units.length), [100, 500, 1000]);
  for (const m of f.many) for (const u of m.units) {
    const docs = parseAllDocuments(f.files[`${u.path.slice(2)}/objects.yaml`] ?? "");
    assert.equal(docs.length, 4, u.path);
  }
  assert.equal(f.chainPaths.length, 6);
  assert.ok(f.chainPaths.every((p) => `${p.slice(2)}/configmaps.yaml` in f.files));
  assert.ok(!Object.keys(f.files).some((p) => p.includes("/root/")), "no Plumbline-style root Kustomizations in Flux's repository");
  const k = fluxKustomization("flux-bench", "b", "./x", { dependsOn: "a", interval: "1m" }) as unknown as { spec: Record<string, unknown> };
  assert.deepEqual(k.spec["dependsOn"], [{ name: "a" }]);
  assert.equal(k.spec["interval"], "1m");
});

test("fluxVersion reads the pinned controllers from go.mod, naming both when they differ", () => {
  assert.equal(fluxVersion("require (\n\tgithub.com/fluxcd/kustomize-controller v1.9.6 // indirect\n\tgithub.com/fluxcd/source-controller v1.9.6 // indirect\n)\n"), "1.9.6");
  assert.equal(fluxVersion("\tgithub.com/fluxcd/kustomize-controller v1.9.5\n\tgithub.com/fluxcd/source-controller v1.9.6\n"), "1.9.6-1.9.5");
  assert.throws(() => fluxVersion("module x\n"), /cannot read/);
});

test("aheadVerdict: ahead of Flux, and under the 1000-Kustomization limits when given", () => {
  assert.equal(aheadVerdict(10_000, 250_000), "met");
  assert.equal(aheadVerdict(300_000, 250_000), "missed");
  assert.equal(aheadVerdict(70_000, 250_000, { ms: 60_000 }), "missed");
  assert.equal(aheadVerdict(50_000, 250_000, { ms: 60_000, rssKiB: 250 * 1024, plumbRssKiB: 300 * 1024 }), "missed");
  assert.equal(aheadVerdict(50_000, 250_000, { ms: 60_000, rssKiB: 250 * 1024, plumbRssKiB: 200 * 1024 }), "met");
  assert.equal(aheadVerdict(undefined, 1), "n/a");
});

test("fluxRows: ratios from the same run, the derived 10m drift row, and errors in place of a case", () => {
  const plumb = { wallMs: 5000, syncMs: 4000, writes: 1124, requests: 1141, maxRssKiB: 120 * 1024, cpuMs: 2000, kustomizations: [], allReady: true, requestsByKind: {}, timeline: {} };
  const r: Results = {
    size: "default", totalMs: 1, errors: {},
    machine: { cpus: 2, cpuModel: "x", memoryGiB: 1, os: "linux", node: "v24", kubernetes: "v1.37.2", kubectl: "v1", date: "d" },
    initialApply: { objects: 1121, plumb, kubectl: { crdMs: 1, waitMs: 1, restMs: 1, totalMs: 11_000 }, rounds: [], plumbControlPlaneCpu: {}, kubectlControlPlaneCpu: {} },
    drift: { iterations: 20, latenciesMs: [], timeouts: 0, medianMs: 50, p95Ms: 60, maxMs: 70, watchWrites: 84, initialSyncMs: 1, maxRssKiB: 100 * 1024 },
  };
  const rows = fluxRows(r, {
    version: "1.9.6", notes: [], errors: { "4": "chain: timed out\nmore" },
    initialApply: { ms: 20_000, writes: 1200, cpuMs: 9000, peakRssKiB: 200 * 1024 },
    drift: { interval: "1m", latenciesMs: [58_000, 61_000], timeouts: 0, medianMs: 59_500, maxMs: 61_000, run: { ms: 1, writes: 4, cpuMs: 300, peakRssKiB: 90 * 1024 } },
    many: [{ kustomizations: 1000, plumb: { ...plumb, wallMs: 45_000, maxRssKiB: 240 * 1024 }, flux: { ms: 240_000, writes: 9000, cpuMs: 200_000, peakRssKiB: 400 * 1024 }, errors: {} }],
  });
  const one = rows.find((x) => x.case.startsWith("1."));
  assert.equal(one?.comparison, "plumb 4.0x faster than Flux");
  assert.equal(one?.writes, "1124 / 1200");
  assert.equal(one?.cpu, "2.0 s / 9.0 s");
  assert.equal(one?.rss, "120 MiB / 200 MiB");
  assert.equal(one?.kubectl, "11.00 s");
  assert.equal(one?.verdict, "met");
  assert.equal(rows.find((x) => x.case.startsWith("2.")), undefined, "a case neither side ran has no row");
  assert.match(rows.find((x) => x.case.includes("interval: 1m"))?.flux ?? "", /^median 59.50 s, max 61.00 s/);
  assert.match(rows.find((x) => x.case.includes("interval: 10m"))?.flux ?? "", /up to 10m/);
  assert.equal(rows.find((x) => x.case.startsWith("4."))?.flux, "error: chain: timed out");
  const big = rows.find((x) => x.case.startsWith("5. 1000"));
  assert.equal(big?.verdict, "met");
  assert.equal(big?.target, "ahead of Flux; <60 s; peak RSS <250 MiB");
  const failed = fluxRows(r, { version: "1.9.6", notes: [], errors: {}, many: [{ kustomizations: 500, errors: { plumb: "boom\nstack" }, flux: { ms: 1, writes: 1, cpuMs: 1, peakRssKiB: 1 } }] }).find((x) => x.case.startsWith("5."));
  assert.equal(failed?.plumbline, "error: boom", "a side's error shows in its own column");
  assert.equal(failed?.verdict, "n/a");
});

test("withoutCelRules drops x-kubernetes-validations at any depth and keeps the rest", () => {
  const crd = { spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: { properties: { spec: { "x-kubernetes-validations": [{ rule: "self.a" }], properties: { a: { type: "string", "x-kubernetes-validations": [] } }, type: "object" } } } } }] } };
  assert.deepEqual(withoutCelRules(crd), { spec: { versions: [{ name: "v1", schema: { openAPIV3Schema: { properties: { spec: { properties: { a: { type: "string" } }, type: "object" } } } } }] } });
});
