/** The tool modules pin what the finder reports: go.mod versions, and the cached builds' own answers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { findTool, toolsBinDir, isExecutable, type ToolName } from "../../../src/render/tool-finder.ts";
import { toolVersion } from "../../../src/render/tool-version.ts";

const PINS: { dir: string; module: string; version: string; tools: ToolName[] }[] = [
  { dir: "kustomize", module: "sigs.k8s.io/kustomize/kustomize/v5", version: "v5.8.2", tools: ["kustomize"] },
  { dir: "helm", module: "helm.sh/helm/v4", version: "v4.3.2", tools: ["helm"] },
  { dir: "sops", module: "github.com/getsops/sops/v3", version: "v3.13.3", tools: ["sops"] },
  { dir: "age", module: "filippo.io/age", version: "v1.3.2", tools: ["age", "age-keygen"] },
];

const goMod = (dir: string): string => readFileSync(new URL(`../../../tools/${dir}/go.mod`, import.meta.url), "utf8");

test("each tools/<name>/go.mod requires its tool at the pinned version with the machine's Go (1.26)", () => {
  for (const p of PINS) {
    const mod = goMod(p.dir);
    assert.match(mod, /^go 1\.26\.\d+$/m, p.dir);
    assert.match(mod, new RegExp(`^\\s+${p.module.replace(/[./]/g, "\\$&")} ${p.version.replace(/\./g, "\\.")}\\b`, "m"), `${p.dir}: ${p.module} ${p.version}`);
    assert.doesNotMatch(mod, /^toolchain /m, `${p.dir}: no toolchain line (GOTOOLCHAIN=local)`);
  }
});

// Built by scripts/build-tools.sh (npm test's pretest, .ci/run); without it this only runs outside CI as a skip.
const built = PINS.every((p) => p.tools.every((t) => isExecutable(`${toolsBinDir()}/${t}`)));
test("the cached builds report the pinned versions", { skip: !built && !process.env["CI"] && `not built: run bash scripts/build-tools.sh` }, async () => {
  for (const p of PINS) {
    for (const t of p.tools) {
      const cached = `${toolsBinDir()}/${t}`;
      assert.equal(await toolVersion(t, cached), p.version, cached);
    }
  }
  assert.ok(findTool("sops"), "sops is found");
});
