/** Where Plumbline looks for kustomize, helm, sops and age, and what it says when one is missing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheRoot } from "../../../src/local-cluster/binaries.ts";
import { findKustomize } from "../../../src/render/kustomize-binary.ts";
import { BUILD_TOOLS_COMMAND, findHelm, findTool, missingToolMessage, plumblineCache, toolCandidates, toolsBinDir } from "../../../src/render/tool-finder.ts";

const env = { PATH: "/opt/a:/opt/b", PLUMBLINE_CACHE: "/c" };
const only = (...paths: string[]) => (p: string): boolean => paths.includes(p);

test("the cache is the one scripts/lib/go-build.sh and the control plane use", () => {
  for (const e of [{ PLUMBLINE_CACHE: "/x" }, { XDG_CACHE_HOME: "/xdg" }, { PLUMBLINE_CACHE: "/x", XDG_CACHE_HOME: "/xdg" }]) {
    assert.equal(plumblineCache(e), cacheRoot(e), JSON.stringify(e));
  }
  assert.equal(toolsBinDir({ XDG_CACHE_HOME: "/xdg" }), "/xdg/plumbline/tools/bin");
});

test("a tool is looked for in each PATH directory in order, then in the tools cache", () => {
  assert.deepEqual(toolCandidates("helm", env), [
    { path: "/opt/a/helm", from: "PATH" },
    { path: "/opt/b/helm", from: "PATH" },
    { path: "/c/tools/bin/helm", from: "cache" },
  ]);
  assert.deepEqual(findTool("helm", env, only("/opt/b/helm", "/c/tools/bin/helm")), { name: "helm", path: "/opt/b/helm", from: "PATH" });
  assert.deepEqual(findTool("sops", env, only("/c/tools/bin/sops")), { name: "sops", path: "/c/tools/bin/sops", from: "cache" });
  assert.equal(findTool("age", env, only()), undefined);
});

test("kustomize: PATH first, then the tools cache, with `build`", () => {
  assert.deepEqual(findKustomize(env, only("/opt/b/kustomize", "/c/tools/bin/kustomize")), { cmd: "/opt/b/kustomize", args: ["build"], from: "PATH" });
  assert.deepEqual(findKustomize(env, only("/c/tools/bin/kustomize", "/opt/a/kubectl")), { cmd: "/c/tools/bin/kustomize", args: ["build"], from: "cache" });
});

function fakeKubectl(t: { after: (fn: () => void) => void }, json: string): string {
  const dir = mkdtempSync(join(tmpdir(), "plumb-kubectl-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "kubectl"), `#!/bin/sh\n[ "$1 $2 $3 $4" = "version --client -o json" ] || exit 3\ncat <<'J'\n${json}\nJ\n`);
  chmodSync(join(dir, "kubectl"), 0o755);
  return dir;
}

test("kustomize: a kubectl on PATH is the last resort, and only when it embeds kustomize v5", (t) => {
  const v5 = fakeKubectl(t, '{"clientVersion":{"gitVersion":"v1.32.4"},"kustomizeVersion":"v5.5.0"}');
  const e5 = { PATH: v5, PLUMBLINE_CACHE: join(v5, "no-cache") };
  assert.deepEqual(findKustomize(e5), { cmd: join(v5, "kubectl"), args: ["kustomize"], from: "kubectl" });

  // Debian's kubectl 1.20 embeds kustomize v2 and reports no kustomizeVersion
  const old = fakeKubectl(t, '{"clientVersion":{"gitVersion":"v1.20.2"}}');
  const eOld = { PATH: old, PLUMBLINE_CACHE: join(old, "no-cache") };
  assert.throws(() => findKustomize(eOld), (err: Error) => {
    assert.match(err.message, new RegExp(`^kustomize not found on PATH nor in ${join(old, "no-cache", "tools", "bin")}: put kustomize on PATH, or run \`bash /.*/scripts/build-tools\\.sh\``));
    assert.match(err.message, new RegExp(`\\(${join(old, "kubectl")} embeds kustomize older than v5, not used\\)$`));
    return true;
  });
  const v4 = fakeKubectl(t, '{"kustomizeVersion":"v4.5.7"}');
  assert.throws(() => findKustomize({ PATH: v4, PLUMBLINE_CACHE: join(v4, "no-cache") }), /embeds kustomize v4\.5\.7, not used/);
});

test("a missing tool's message names the cache and the script that builds it, which exists", () => {
  const msg = missingToolMessage("helm", { PATH: "", PLUMBLINE_CACHE: "/nowhere" });
  assert.equal(msg, `helm not found on PATH nor in /nowhere/tools/bin: put helm on PATH, or run \`${BUILD_TOOLS_COMMAND}\` (builds the pinned version once into /nowhere/tools/bin; needs Go 1.26)`);
  assert.ok(existsSync(BUILD_TOOLS_COMMAND.replace(/^bash /, "")), BUILD_TOOLS_COMMAND);
  assert.throws(() => findHelm({ PATH: "", PLUMBLINE_CACHE: "/nowhere" }), { message: msg });
});
