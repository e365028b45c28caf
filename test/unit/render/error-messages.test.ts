/**
 * Render errors a user can act on: an alias bomb names its file, an unclosed quote is reported where it opens,
 * kustomize's messages lose kubectl's klog header, and a symlink leaving the repository is called a symlink.
 */
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { BuildError, PlumbError } from "../../../src/core/errors.ts";
import { kustomizeFailureText } from "../../../src/render/build-output.ts";
import { render } from "../../../src/render/render.ts";
import { unclosedQuoteLine } from "../../../src/render/yaml-errors.ts";
import { renderTestDirs } from "./helpers.ts";

const { tree, countingKustomize } = renderTestDirs("plumbline-errmsg-test-");

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const spec = (path: string): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } });
const owner = { name: "apps", namespace: "flux-system" };

const BOMB = [
  "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: lol", "data:",
  '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "",
].join("\n");

test("an alias bomb is refused naming the file (as a resource, in a generated folder, and as the kustomization itself)", async () => {
  for (const [files, file] of [
    [{ "apps/kustomization.yaml": "resources: [ok.yaml, lol.yaml]\n", "apps/ok.yaml": cm("ok"), "apps/lol.yaml": BOMB }, "apps/lol.yaml"],
    [{ "apps/ok.yaml": cm("ok"), "apps/lol.yaml": BOMB }, "apps/lol.yaml"],
    [{ "apps/kustomization.yaml": `resources: [ok.yaml]\nx: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n`, "apps/ok.yaml": cm("ok") }, "apps/kustomization.yaml"],
  ] as const) {
    await assert.rejects(render({ sourceDir: tree(files), spec: spec("./apps"), owner }), (err: Error) => {
      assert.ok(err instanceof BuildError, String(err));
      assert.equal(err.message, `${file}: refused: its YAML aliases expand too far (a resource exhaustion attack, "billion laughs")`);
      assert.equal(err.file, file);
      return true;
    });
  }
});

test("an unclosed quote is reported at the line where it opens, not at the end of the file", async () => {
  const text = `${cm("first")}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\ndata:\n  motd: "Welcome\n  other: x\n  more: y\n  last: z\n`;
  const line = text.split("\n").findIndex((l) => l.includes('"Welcome')) + 1;
  assert.equal(unclosedQuoteLine(text), line);
  await assert.rejects(render({ sourceDir: tree({ "apps/kustomization.yaml": "resources: [cms.yaml]\n", "apps/cms.yaml": text }), spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof BuildError, String(err));
    assert.equal(err.message, `apps/cms.yaml:${line}: invalid YAML: the double-quoted string that starts here is never closed`);
    return true;
  });
  const single = "resources:\n- 'cm.yaml\n- other.yaml\n";
  await assert.rejects(render({ sourceDir: tree({ "apps/kustomization.yaml": single }), spec: spec("./apps"), owner }), /apps\/kustomization\.yaml:2: invalid YAML: the single-quoted string that starts here is never closed/);
  // quotes that close, escapes and '' included, are not unclosed
  assert.equal(unclosedQuoteLine(`a: "x \\" y"\nb: 'it''s'\nc: "multi\n  line"\n`), undefined);
});

test("kustomize's messages lose kubectl's klog header and wrapper and kustomize's Error: prefix", async () => {
  assert.equal(kustomizeFailureText(`E1202 12:00:00.000000   123 run.go:72] "command failed" err="accumulating resources: accumulating resources from 'x.yaml': \\"quoted\\" thing"\n`), `accumulating resources: accumulating resources from 'x.yaml': "quoted" thing`);
  assert.equal(kustomizeFailureText("Error: accumulating resources: boom\n\n"), "accumulating resources: boom");
  // kubectl 1.37's own prefix before a kustomize failure
  assert.equal(kustomizeFailureText("error: invalid Kustomization: json: cannot unmarshal array\n"), "invalid Kustomization: json: cannot unmarshal array");
  assert.equal(kustomizeFailureText("W1202 08:01:02.5 9 warnings.go:70] first\nsecond\n"), "first; second");
  // the real kubectl kustomize (a counting wrapper around it) on a kustomization kustomize itself refuses
  const kustomize = countingKustomize();
  const sourceDir = tree({ "apps/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: [not, a, string]\n", "apps/cm.yaml": cm("x") });
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner, kustomize }), (err: Error) => {
    assert.ok(err instanceof BuildError, String(err));
    assert.match(err.message, /^apps\/kustomization\.yaml: kustomize build failed: invalid Kustomization: /);
    assert.equal(err.file, "apps/kustomization.yaml");
    assert.doesNotMatch(err.message, /[IWEF]\d{4} \d\d:\d\d:\d\d|run\.go|command failed|err="/);
    return true;
  });
  assert.equal(kustomize.runs(), 1);
});

test("a manifest symlinked outside the repository is reported as a symlink, not as not found", async () => {
  const outside = tree({ "cm.yaml": cm("stolen") });
  const sourceDir = tree({ "apps/kustomization.yaml": "resources: [cm.yaml]\n" });
  symlinkSync(join(outside, "cm.yaml"), join(sourceDir, "apps/cm.yaml"));
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof PlumbError && err.reason === "InvalidPath", String(err));
    assert.match(err.message, /^apps\/kustomization\.yaml: resources "cm\.yaml": apps\/cm\.yaml is a symlink to ".+\/cm\.yaml", outside the repository/);
    assert.doesNotMatch(err.message, /not found/);
    return true;
  });
});

test("an alias with no anchor names the file and the alias's line", async () => {
  const text = cm("x").replace('a: "1"', "cpu: *cpuLimit");
  await assert.rejects(render({ sourceDir: tree({ "apps/kustomization.yaml": "resources: [cm.yaml]\n", "apps/cm.yaml": text }), spec: spec("./apps"), owner }), (err: Error) => {
    assert.ok(err instanceof BuildError, String(err));
    assert.equal(err.message, "apps/cm.yaml:6: invalid YAML: alias *cpuLimit has no anchor &cpuLimit before it");
    return true;
  });
});

test("a kustomize failure of a generated kustomization names its folder", async () => {
  const sourceDir = tree({ "apps/a.yaml": cm("same"), "apps/b.yaml": cm("same") });
  await assert.rejects(render({ sourceDir, spec: spec("./apps"), owner }), (err: Error) => err instanceof BuildError && /^apps \(generated kustomization\): kustomize build failed: .*ConfigMap.*same/.test(err.message));
});
