/**
 * `plumb check --pre` against the test control plane: the server's version against the minimum, and the
 * kustomize, helm, sops and age Plumbline uses (path and version, as the finder and the binaries themselves say);
 * with none of them reachable, the check fails on kustomize and names the script that builds them, and a
 * `plumb build` that needs kustomize fails with the same words.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.ts";
import { findKustomize } from "../../src/render/kustomize-binary.ts";
import { findTool, missingToolMessage } from "../../src/render/tool-finder.ts";
import { toolVersion } from "../../src/render/tool-version.ts";
import { testKube, testKubeconfig } from "../support/cluster.ts";
import { createRepo } from "../support/git-repo.ts";

async function check(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["check", ...args], { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env, cwd: process.cwd() });
  return { code, out, err };
}

test("check --pre reports the server's version and the kustomize, helm, sops and age in use, with path and version", async () => {
  const kube = testKube();
  let server: string;
  try {
    server = String(((await kube.http.request("GET", "/version")).body as { gitVersion: string }).gitVersion).replace(/^v/, "").replace(/[-+].*$/, "");
  } finally {
    kube.close();
  }
  const r = await check({ ...process.env, KUBECONFIG: testKubeconfig() }, "--pre");
  assert.equal(r.code, 0, r.out + r.err);
  const lines = r.out.split("\n");
  assert.equal(lines[0], "► checking prerequisites");
  assert.equal(lines[1], `✔ Kubernetes ${server} >=1.20.0`);
  const k = findKustomize();
  assert.equal(k.from === "kubectl", false, "the tests run with a kustomize of their own (scripts/build-tools.sh), not kubectl's");
  assert.equal(lines[2], `✔ kustomize ${await toolVersion("kustomize", k.cmd)} ${k.cmd} (${k.from === "cache" ? "tools cache" : "PATH"})`);
  for (const [i, name] of (["helm", "sops", "age"] as const).entries()) {
    const t = findTool(name);
    assert.ok(t, `${name} is found (built by scripts/build-tools.sh)`);
    assert.equal(lines[3 + i], `✔ ${name} ${await toolVersion(name, t.path)} ${t.path} (${t.from === "cache" ? "tools cache" : "PATH"})`);
  }
  assert.equal(lines[6], "✔ prerequisites checks passed");
  assert.match(lines[3] ?? "", /^✔ helm v4\./, "helm v4");
  assert.match(lines[2] ?? "", /^✔ kustomize v5\./, "kustomize v5");
});

test("with no tools anywhere, check --pre fails on kustomize and says how to get each; an unreachable cluster fails it too", async (t) => {
  const empty = mkdtempSync(join(tmpdir(), "plumb-check-empty-"));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const env = { PATH: join(empty, "bin"), PLUMBLINE_CACHE: join(empty, "cache"), KUBECONFIG: testKubeconfig() };
  const r = await check(env, "--pre");
  assert.equal(r.code, 1);
  const lines = r.out.split("\n");
  assert.match(lines[1] ?? "", /^✔ Kubernetes /);
  assert.equal(lines[2], `✗ ${missingToolMessage("kustomize", env)}`);
  assert.match(lines[2] ?? "", /run `bash \/.*\/scripts\/build-tools\.sh` \(builds the pinned version once into .*\/cache\/tools\/bin; needs Go 1\.26\)$/);
  assert.deepEqual(lines.slice(3, 6), ["helm", "sops", "age"].map((n) => `! ${missingToolMessage(n as "helm", env)}`));
  assert.equal(lines[6], "✗ prerequisites checks failed");

  const noCluster = await check({ ...process.env, KUBECONFIG: join(empty, "no-kubeconfig") }, "--pre");
  assert.equal(noCluster.code, 1);
  assert.match(noCluster.out, /^✗ Kubernetes: kubeconfig .*no-kubeconfig not found/m);
});

const PLUMB = fileURLToPath(new URL("../../bin/plumb.js", import.meta.url));

test("plumb build that needs kustomize, with none anywhere, fails with check --pre's words", async (t) => {
  const empty = mkdtempSync(join(tmpdir(), "plumb-check-build-"));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  symlinkSync("/usr/bin/git", join(empty, "git")); // the source fetch needs git, nothing else
  const repo = await createRepo({
    "apps/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: p-\nresources:\n  - cm.yaml\n",
    "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
  });
  t.after(() => repo.remove());
  const env = { PATH: empty, PLUMBLINE_CACHE: join(empty, "cache"), HOME: empty };
  const res = await new Promise<{ code: number | null; err: string }>((resolve) => {
    execFile(process.execPath, [PLUMB, "build", "--source", repo.dir, "--path", "apps", "--cache-dir", join(empty, "work")], { env, timeout: 60_000 }, (e, _out, err) => resolve({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, err }));
  });
  assert.notEqual(res.code, 0, "the build fails");
  assert.ok(res.err.includes(missingToolMessage("kustomize", env)), res.err);
});
