/** `plumb sync` fetches its bootstrap source while the cluster objects are put in place; the resolve then uses that fetch. */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { test } from "node:test";
import { GIT_REPOSITORY_API_VERSION } from "../../src/core/flux-api.ts";
import type { GitRepositorySpec } from "../../src/core/api-types.ts";
import { installCrds } from "../../src/reconcile/sync.ts";
import { SourceResolver } from "../../src/reconcile/source-resolver.ts";
import { createRepo } from "../support/git-repo.ts";
import { testSetup } from "../support/cluster.ts";

async function gitRepository(kube: Parameters<typeof installCrds>[0], ns: string, spec: GitRepositorySpec): Promise<void> {
  await installCrds(kube);
  await kube.apply({ apiVersion: GIT_REPOSITORY_API_VERSION, kind: "GitRepository", metadata: { name: "src", namespace: ns }, spec }, { fieldManager: "test", force: true });
}

test("a prefetched source is used when the GitRepository asks for the same artifact (no second fetch)", async (t) => {
  const { kube, ns, dir } = await testSetup(t, "prefetch");
  const repo = await createRepo({ "a.yaml": "x: 1\n" });
  t.after(() => repo.remove());
  const spec: GitRepositorySpec = { url: repo.dir, ref: { branch: "main" }, interval: "1m" };
  await gitRepository(kube, ns, spec);
  const sources = new SourceResolver(kube, dir, () => {});
  await sources.prefetch(ns, "src", { ...spec, interval: "5m" });
  rmSync(repo.dir, { recursive: true, force: true }); // a second fetch would fail now
  const resolved = await sources.resolve(ns, "src");
  assert.match(resolved.artifact.revision, /^main@sha1:[0-9a-f]{40}$/);
});

test("a prefetched source is not used when the GitRepository's ref differs: the resolve fetches what it asks for", async (t) => {
  const { kube, ns, dir } = await testSetup(t, "prefetch");
  const repo = await createRepo({ "a.yaml": "x: 1\n" });
  t.after(() => repo.remove());
  await repo.tag("v1.0.0");
  await repo.commit({ "a.yaml": "x: 2\n" });
  await gitRepository(kube, ns, { url: repo.dir, ref: { tag: "v1.0.0" }, interval: "1m" });
  const sources = new SourceResolver(kube, dir, () => {});
  void sources.prefetch(ns, "src", { url: repo.dir, ref: { branch: "main" }, interval: "1m" });
  const resolved = await sources.resolve(ns, "src");
  assert.match(resolved.artifact.revision, /^v1\.0\.0@sha1:[0-9a-f]{40}$/);
});
