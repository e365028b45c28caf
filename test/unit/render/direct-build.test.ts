/**
 * The in-process build (src/render/direct-build.ts) against the real kustomize: for every tree it accepts, the
 * same objects in the same order as `kustomize build`; for every tree it must leave to kustomize, kustomize runs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { render } from "../../../src/render/render.ts";
import { renderTestDirs } from "./helpers.ts";

const { tree, countingKustomize } = renderTestDirs("plumbline-direct-build-test-");

const spec = (path: string, extra: Partial<KustomizationSpec> = {}): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" }, ...extra });
const owner = { name: "apps", namespace: "flux-system" };

async function both(files: Record<string, string>, path = "./app", extra: Partial<KustomizationSpec> = {}): Promise<{ direct: unknown; kustomize: unknown; directRuns: number }> {
  const sourceDir = tree(files);
  const k = countingKustomize();
  // kustomize's log prefix (time, pid) differs between runs
  const settle = (p: Promise<{ objects: unknown }>): Promise<unknown> => p.then((r) => r.objects, (e: Error) => ({ error: e.message.replace(/E\d{4} [\d:.]+\s+\d+ /, "") }));
  const direct = await settle(render({ sourceDir, spec: spec(path, extra), owner, kustomize: k }));
  const directRuns = k.runs();
  const kustomize = await settle(render({ sourceDir, spec: spec(path, extra), owner, kustomize: k, directBuild: false }));
  assert.equal(k.runs(), directRuns + 1, "kustomize ran for the comparison");
  return { direct, kustomize, directRuns };
}

const doc = (apiVersion: string, kind: string, name: string, namespace?: string, rest = ""): string =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ""}${rest}`;

test("many kinds, groups, versions and namespaces over several files: kustomize's objects in kustomize's order, without running it", async () => {
  const a = [
    doc("v1", "ConfigMap", "zeta", "team-b"), doc("v1", "ConfigMap", "alpha", "team-b"), doc("v1", "ConfigMap", "mid"), doc("v1", "ConfigMap", "mid", "team-a"),
    doc("example.com/v1", "Widget", "w1", "team-a", "spec:\n  size: 3\n"), doc("example.com/v1beta1", "Widget", "w2", "team-a"), doc("other.io/v1", "Widget", "w0", "team-a"),
    doc("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "vw"), doc("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mw"),
    doc("apps/v1", "Deployment", "web", "team-a", "spec:\n  replicas: 0\n"), doc("apps/v1", "StatefulSet", "db", "team-a"), doc("batch/v1", "Job", "once", "team-a"),
  ].join("---\n");
  const b = [
    "# leading comment\n---\n", doc("v1", "Namespace", "team-b"), doc("v1", "Namespace", "team-a"), "---\n# only a comment\n",
    doc("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com"), doc("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"),
    doc("rbac.authorization.k8s.io/v1", "Role", "r", "team-a"), doc("v1", "ServiceAccount", "sa", "team-a"), doc("v1", "Service", "web", "team-a"),
    doc("v1", "Secret", "s", "team-a", "type: Opaque\ndata:\n  k: aGVsbG8=\n"), doc("policy/v1", "PodDisruptionBudget", "pdb", "team-a"),
    doc("v1", "PersistentVolumeClaim", "data", "team-a"), doc("scheduling.k8s.io/v1", "PriorityClass", "high", undefined, "value: 1000\n"),
  ].join("---\n");
  const json = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-json", namespace: "team-a" }, data: { a: "1" } });
  const r = await both({ "app/a.yaml": a, "app/sub/b.yml": b, "app/c.json": json, "app/notes.txt": "not yaml" });
  assert.equal(r.directRuns, 0, "kustomize did not run");
  assert.deepEqual(r.direct, r.kustomize);
  assert.equal((r.direct as unknown[]).length, 24);
  assert.deepEqual(r.direct, r.kustomize);
});

test("scalars kustomize passes through keep their values: nulls, YAML 1.1 words, octal-looking and big numbers, block scalars, CRLF", async () => {
  const a = doc("v1", "ConfigMap", "scalars", "demo", [
    "  creationTimestamp: null", "  labels:", "    app: demo", "    tier: \"1\"", "  annotations:", "    note: \"on\"", "    plain: some text",
    "data:", "  yes-word: yes", "  on-word: on", "  octal: \"0755\"", "  float: \"1.0\"", "  quoted: \"123\"", "  single: 'it''s'",
    "  block: |", "    line one  ", "    line two", "  folded: >-", "    folded", "    text", "  unicode: \"caf\\u00e9 \\t tab\"", "  empty:",
    "binaryData:", "  b: aGVsbG8=", "",
  ].join("\n"));
  const b = doc("apps/v1", "Deployment", "d", "demo", "spec:\n  replicas: 0\n  template:\n    metadata:\n      creationTimestamp: null\n    spec:\n      containers:\n      - name: c\n        image: x:1\n        resources: {}\n        args: [\"--port\", \"0755\", 'x', 1.50, 12345678901234567890, true, ~]\nstatus: {}\n");
  const crlf = doc("v1", "ConfigMap", "crlf", "demo", "data:\n  k: v\n").replace(/\n/g, "\r\n");
  const r = await both({ "app/a.yaml": a, "app/b.yaml": b, "app/crlf.yaml": crlf });
  assert.equal(r.directRuns, 0);
  assert.deepEqual(r.direct, r.kustomize);
});

test("unquoted numbers in every YAML 1.2 core form come out as kustomize writes them, built in process", async () => {
  const spec = ["spec:", "  oct: 0o17", "  hex: 0x1F", "  dec: 12", "  plus: +12", "  neg: -7", "  exp: 1e3", "  expf: 2.5E-2", "  dot: .5", "  negdot: -.5",
    "  trail: 3.", "  nine: 9", "  sexa: 190:20:30", "  clock: 12:30", "  words: [yes, no, on, off, y, N, YES, Off, True, FALSE, Null, ~]", ""].join("\n");
  const r = await both({ "app/w.yaml": doc("example.com/v1", "Widget", "nums", "demo", spec) });
  assert.equal(r.directRuns, 0);
  assert.deepEqual(r.direct, r.kustomize);
});

test("scalars kustomize reads the YAML 1.1 way (0644 is 420, 0b101, 1_000, +0x1F, dates) leave the file to kustomize", async () => {
  for (const line of ["  mode: 0644", "  negoct: -012", "  bin: 0b101", "  under: 1_000", "  fl: 1_000.5", "  signedhex: +0x1F", "  soct: +0o17", "  date: 2001-12-14", "  ts: 2001-12-14t21:59:43.10-05:00", "  list: [1, 0644]"]) {
    const r = await both({ "app/w.yaml": doc("example.com/v1", "Widget", "nums", "demo", `spec:\n${line}\n`) });
    assert.equal(r.directRuns, 1, `${line}: kustomize built it`);
    assert.deepEqual(r.direct, r.kustomize);
  }
});

test("a kustomization.yaml with only resources (files, in its own order) is built in process; its objects still come out in kustomize's order", async () => {
  const r = await both({
    "app/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- z.yaml\n- ../shared/a.yaml\n",
    "app/z.yaml": doc("v1", "Service", "z", "demo"),
    "app/ignored.yaml": doc("v1", "ConfigMap", "not-listed", "demo"),
    "shared/a.yaml": doc("v1", "ConfigMap", "a", "demo"),
  });
  assert.equal(r.directRuns, 0);
  assert.deepEqual(r.direct, r.kustomize);
  assert.deepEqual((r.direct as { kind: string }[]).map((o) => o.kind), ["ConfigMap", "Service"]);
});

const leftToKustomize: [string, Record<string, string>, Partial<KustomizationSpec>?][] = [
  ["an anchor and alias", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo", "data: &d\n  k: v\nbinaryData: *d\n") }],
  ["an explicit tag", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo", "data:\n  k: !!str 0755\n") }],
  ["an annotation kustomize rewrites as a string", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo", "  annotations:\n    n: 0755\n") }],
  ["an empty annotations map (kustomize drops it)", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo", "  annotations: {}\n") }],
  ["a List", { "app/a.yaml": "apiVersion: v1\nkind: List\nitems:\n- " + doc("v1", "ConfigMap", "a", "demo").replace(/\n(?=.)/g, "\n  ") }],
  ["a local-config object", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo", "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n") + "---\n" + doc("v1", "ConfigMap", "b", "demo") }],
  ["two objects with one id", { "app/a.yaml": doc("v1", "ConfigMap", "a", "default") + "---\n" + doc("v1", "ConfigMap", "a") }],
  ["a build field of the Kustomization", { "app/a.yaml": doc("v1", "ConfigMap", "a") }, { targetNamespace: "elsewhere" }],
  ["a kustomization field other than resources", { "app/kustomization.yaml": "resources: [a.yaml]\ncommonLabels: {team: web}\n", "app/a.yaml": doc("v1", "ConfigMap", "a", "demo") }],
  ["a sub-directory with its own kustomization", { "app/a.yaml": doc("v1", "ConfigMap", "a", "demo"), "app/sub/kustomization.yaml": "resources: [b.yaml]\n", "app/sub/b.yaml": doc("v1", "ConfigMap", "b", "demo") }],
];

for (const [name, files, extra] of leftToKustomize) {
  test(`left to kustomize: ${name}`, async () => {
    const r = await both(files, "./app", extra);
    assert.equal(r.directRuns, 1, "kustomize ran");
    assert.deepEqual(r.direct, r.kustomize);
  });
}
