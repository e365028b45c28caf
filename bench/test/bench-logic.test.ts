import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { applyTree, applyTreeFiles, chainTree, countObjects, driftTree, manyTree } from "../generate.ts";
import { busyShare, cpuDelta, statCpuMs } from "../cpu-usage.ts";
import { cpuText, summaryRows, timelineText, type Results } from "../report.ts";
import { sizeProfile } from "../sizes.ts";
import { median, percentile, ratioText, verdict } from "../stats.ts";

test("applyTree spreads the default size's 1000 objects over 20 namespaces in four kinds, plus a CRD and 100 resources", () => {
  const t = applyTree("bp", "p.example.dev", sizeProfile("default"));
  assert.equal(t.namespaces.length, 20);
  assert.equal(t.objects.filter((o) => o.kind !== "Widget").length, 1000);
  assert.equal(t.objects.filter((o) => o.kind === "Widget" && o.apiVersion === "p.example.dev/v1").length, 100);
  for (const kind of ["ConfigMap", "Secret", "Service", "Deployment"]) assert.equal(t.objects.filter((o) => o.kind === kind).length, 250, kind);
  assert.equal(new Set(t.objects.map((o) => o.metadata.namespace)).size, 20);
  assert.equal(t.crd.metadata.name, "widgets.p.example.dev");
  assert.equal(countObjects(t), 1121);
});

test("applyTreeFiles holds every object exactly once as parseable YAML", () => {
  const t = applyTree("bp", "p.example.dev", sizeProfile("small"));
  const docs = Object.values(applyTreeFiles("apply", t)).flatMap((y) => parseAllDocuments(y).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } }));
  assert.equal(docs.length, countObjects(t));
  assert.equal(new Set(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`)).size, docs.length);
});

test("two prefixes give disjoint namespaces and CRD names (each side creates its own)", () => {
  const p = sizeProfile("small");
  const a = applyTree("bp", "p.example.dev", p);
  const b = applyTree("bk", "k.example.dev", p);
  const nsA = new Set(a.namespaces.map((n) => n.metadata.name));
  assert.ok(b.namespaces.every((n) => !nsA.has(n.metadata.name)));
  assert.notEqual(a.crd.metadata.name, b.crd.metadata.name);
});

test("chainTree makes each level dependsOn the previous and keeps levels outside the root path", () => {
  const c = chainTree("chain", "ns-c", sizeProfile("default"));
  const kss = parseAllDocuments(c.files["chain/root/kustomizations.yaml"] ?? "").map((d) => d.toJS() as { metadata: { name: string }; spec: { path: string; dependsOn?: { name: string }[] } });
  assert.equal(kss.length, 6);
  assert.equal(kss[0]?.spec.dependsOn, undefined);
  for (let i = 1; i < kss.length; i++) assert.deepEqual(kss[i]?.spec.dependsOn, [{ name: kss[i - 1]?.metadata.name }]);
  assert.ok(kss.every((k) => !k.spec.path.startsWith(c.rootPath)));
  assert.ok(kss.every((k) => `${k.spec.path}/configmaps.yaml`.slice(2) in c.files));
});

test("manyTree makes N Kustomizations of 4 objects each", () => {
  const m = manyTree("many", "ns-m", 200);
  assert.equal(m.objects.length, 1 + 800);
  const kss = parseAllDocuments(m.files["many/root/kustomizations.yaml"] ?? "");
  assert.equal(kss.length, 200);
});

test("driftTree targets a key whose Git value is known", () => {
  const d = driftTree("drift", "ns-d", 10);
  const cms = parseAllDocuments(d.files["drift/configmaps.yaml"] ?? "").map((x) => x.toJS() as { metadata: { name: string }; data: Record<string, string> });
  assert.equal(cms.find((c) => c.metadata.name === d.target.name)?.data[d.target.key], d.target.desired);
});

test("sizeProfile rejects unknown sizes by name", () => {
  assert.throws(() => sizeProfile("huge"), /--size huge/);
  assert.equal(sizeProfile("large").objects, 3000);
});

test("percentile is nearest-rank and ignores non-finite samples", () => {
  const xs = Array.from({ length: 20 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 95), 19);
  assert.equal(percentile(xs, 100), 20);
  assert.equal(percentile([3, Infinity], 50), 3);
  assert.equal(percentile([], 50), undefined);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test("ratioText says faster or slower from durations", () => {
  assert.equal(ratioText(100, 240, "kubectl"), "plumb 2.4x faster than kubectl");
  assert.equal(ratioText(200, 100, "kubectl"), "plumb 2.0x slower than kubectl");
  assert.equal(ratioText(0, 100, "kubectl"), "n/a");
  assert.equal(verdict(1999, 2000, "<"), "met");
  assert.equal(verdict(2000, 2000, "<"), "missed");
});

test("summaryRows judges targets from the measured numbers and shows errors", () => {
  const plumb = { wallMs: 1000, syncMs: 800, writes: 0, requests: 10, maxRssKiB: 200 * 1024, cpuMs: 500, kustomizations: [], allReady: true, requestsByKind: {}, timeline: {} };
  const r: Results = {
    size: "default", totalMs: 1, errors: { "3. Drift correction": "boom" },
    machine: { cpus: 2, cpuModel: "x", memoryGiB: 1, os: "linux", node: "v24", kubernetes: "v1.20.2", kubectl: "v1", date: "d" },
    initialApply: { objects: 1121, plumb, kubectl: { crdMs: 100, waitMs: 100, restMs: 1300, totalMs: 1500 }, rounds: [{ plumbMs: 1000, kubectlMs: 1500, plumbReady: true }], plumbControlPlaneCpu: {}, kubectlControlPlaneCpu: {} },
    noop: { objects: 1121, plumb: { ...plumb, syncMs: 1200 }, kubectl: { crdMs: 0, waitMs: 0, restMs: 0, totalMs: 900 } },
  };
  const rows = summaryRows(r);
  assert.equal(rows.find((x) => x.case.startsWith("1."))?.verdict, "missed"); // 1.5x < 2x
  assert.equal(rows.find((x) => x.case.startsWith("1."))?.comparison, "plumb 1.5x faster than kubectl");
  assert.equal(rows.find((x) => x.case.startsWith("2."))?.verdict, "missed"); // 1.2 s
  assert.equal(rows.find((x) => x.case.startsWith("3."))?.plumbline, "error");
  assert.equal(rows.find((x) => x.case.startsWith("6."))?.verdict, "met");

  // several paired rounds: the verdict takes the median ratio, and every round is shown
  const rounds = [{ plumbMs: 1000, kubectlMs: 1500, plumbReady: true }, { plumbMs: 1000, kubectlMs: 2100, plumbReady: true }, { plumbMs: 1000, kubectlMs: 2400, plumbReady: true }];
  const three = summaryRows({ ...r, initialApply: { ...(r.initialApply as NonNullable<Results["initialApply"]>), rounds } }).find((x) => x.case.startsWith("1."));
  assert.equal(three?.verdict, "met");
  assert.equal(three?.comparison, "median of 3 paired rounds: plumb 2.1x faster than kubectl (1.5x, 2.1x, 2.4x)");
  assert.match(three?.plumbline ?? "", /rounds 1.00 s, 1.00 s, 1.00 s$/);
  const notReady = summaryRows({ ...r, initialApply: { ...(r.initialApply as NonNullable<Results["initialApply"]>), rounds: [...rounds.slice(1), { plumbMs: 500, kubectlMs: 2400, plumbReady: false }] } });
  assert.equal(notReady.find((x) => x.case.startsWith("1."))?.verdict, "missed", "a round that did not get Ready fails the case");
});

test("timelineText lists phases in start order with their span and count", () => {
  assert.equal(timelineText({ apply: [300, 900, 10], render: [5, 200, 1], "dry-run": [210, 290, 10] }), "render 5-200 (1), dry-run 210-290 (10), apply 300-900 (10)");
});

test("CPU accounting: utime + stime from a /proc stat line (a command name with spaces and parentheses), deltas, and the report's text", () => {
  const stat = "4242 (kube (api) server) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 300 0 0";
  assert.equal(statCpuMs(stat), 3250); // (250 + 75) ticks at 100 per second
  assert.equal(statCpuMs("1 (x) S"), undefined);
  assert.deepEqual(cpuDelta({ "kube-apiserver": 1000, etcd: 500 }, { "kube-apiserver": 3000, etcd: 800, new: 10 }), { "kube-apiserver": 2000, etcd: 300, new: 10 });
  assert.equal(cpuText({ etcd: 300, "kube-apiserver": 2000 }, 700, 1000), "plumb 700 ms, kube-apiserver 2.00 s (2.0 ms per request), etcd 300 ms");
});

test("busyShare: control-plane CPU per wall millisecond over a window", () => {
  assert.equal(busyShare({ "kube-apiserver": 120, etcd: 30 }, 1000), 0.15);
  assert.equal(busyShare({}, 1000), 0);
});
