import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { GIT_REPOSITORY_API_VERSION } from "../../src/core/flux-api.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { plumb, type CliRun } from "../support/cli.ts";
import { createRepo } from "../support/git-repo.ts";
import { testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";

const storedRef = async (kube: KubeClient, ns: string): Promise<unknown> => ((await kube.get(GIT_REPOSITORY_API_VERSION, "GitRepository", ns, "flux-system"))?.["spec"] as { ref?: unknown }).ref;
const release = async (kube: KubeClient, ns: string): Promise<string | undefined> => ((await kube.get("v1", "ConfigMap", ns, "release"))?.["data"] as Record<string, string> | undefined)?.["version"];

test("the CLI's ref replaces the stored spec.ref wholly: --commit, --tag and --semver do not outlive the next plain sync", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "ref");
  const files = (v: string): Record<string, string> => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("release", ns, { version: v }) });
  const repo = await createRepo(files("1"));
  t.after(() => repo.remove());
  const first = await repo.head();
  await repo.tag("v1.0.0");
  await repo.commit(files("2"));
  const sync = (...ref: string[]): Promise<CliRun> => plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(work, "cache"), ...ref);

  const pinned = await sync("--commit", first);
  assert.equal(pinned.code, 0, pinned.err + pinned.out);
  assert.equal(await release(kube, ns), "1");
  assert.deepEqual(await storedRef(kube, ns), { commit: first });

  const plain = await sync();
  assert.equal(plain.code, 0, plain.err + plain.out);
  assert.deepEqual(await storedRef(kube, ns), { branch: "main" }, "no key of the pinned ref survives");
  assert.equal(await release(kube, ns), "2", "the plain sync follows main again");

  const tagged = await sync("--tag", "v1.0.0");
  assert.equal(tagged.code, 0, tagged.err + tagged.out);
  assert.deepEqual(await storedRef(kube, ns), { tag: "v1.0.0" });
  assert.equal(await release(kube, ns), "1");
  const branch = await sync("--branch", "main");
  assert.equal(branch.code, 0, branch.err + branch.out);
  assert.deepEqual(await storedRef(kube, ns), { branch: "main" });
  assert.equal(await release(kube, ns), "2");
});

test("a bad --semver fails and is replaced by the next sync's ref, no hand edit of spec.ref needed", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "semver");
  const files = (v: string): Record<string, string> => ({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("release", ns, { version: v }) });
  const repo = await createRepo(files("1"));
  t.after(() => repo.remove());
  await repo.tag("v1.0.0");
  await repo.commit(files("2"));
  const sync = (...ref: string[]): Promise<CliRun> => plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(work, "cache"), ...ref);

  const ok = await sync();
  assert.equal(ok.code, 0, ok.err + ok.out);
  assert.equal(await release(kube, ns), "2");

  const bad = await sync("--semver", "not a range");
  assert.equal(bad.code, 1, bad.err + bad.out);
  assert.match(bad.out + bad.err, /not a range/);
  assert.deepEqual(await storedRef(kube, ns), { semver: "not a range" });
  assert.equal(await release(kube, ns), "2", "nothing changed by the failed sync");

  const semver = await sync("--semver", "1.x");
  assert.equal(semver.code, 0, semver.err + semver.out);
  assert.deepEqual(await storedRef(kube, ns), { semver: "1.x" });
  assert.equal(await release(kube, ns), "1");

  await sync("--semver", "not a range");
  const plain = await sync();
  assert.equal(plain.code, 0, plain.err + plain.out);
  assert.deepEqual(await storedRef(kube, ns), { branch: "main" });
  assert.equal(await release(kube, ns), "2");
});
