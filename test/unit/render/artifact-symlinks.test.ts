/**
 * Symlinks from Git to render: the artifact keeps them as committed (in its digest as mode 120000 with the link
 * text), and the render materializes those inside the repository (files and directories) and refuses the
 * others naming the symlink and its target. Before, the artifact kept regular files only, so a linked manifest
 * vanished and the parent pruned what it held.
 */
import assert from "node:assert/strict";
import { lstatSync, readlinkSync, symlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { KustomizationSpec } from "../../../src/core/api-types.ts";
import { PlumbError } from "../../../src/core/errors.ts";
import { render } from "../../../src/render/render.ts";
import { digestDirectory, fetchArtifact } from "../../../src/source/index.ts";
import { createRepo, type TestRepo } from "../../support/git-repo.ts";
import { renderTestDirs } from "./helpers.ts";

const { tmp } = renderTestDirs("plumbline-artifact-links-test-");

const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const spec = (path: string): KustomizationSpec => ({ interval: "10m", path, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } });
const owner = { name: "apps", namespace: "flux-system" };

let repo: TestRepo;
let work: string;
before(async () => {
  work = await mkdtemp(join(tmp, "work-"));
  repo = await createRepo({ "shared/cm.yaml": cm("shared"), "shared/dir/a.yaml": cm("dir-a"), "apps/own.yaml": cm("own") });
});
after(() => repo.remove());

const fetchHead = async (): Promise<Awaited<ReturnType<typeof fetchArtifact>>> => {
  const bare = await repo.publish(work, "repo.git");
  return fetchArtifact({ url: `file://${bare}`, interval: "1m", ref: { branch: "main" } }, { cacheDir: await mkdtemp(join(work, "cache-")) });
};

test("in-repository symlinks (a file and a directory) reach the artifact and are materialized by the render", async () => {
  symlinkSync("../shared/cm.yaml", join(repo.dir, "apps/linked.yaml"));
  symlinkSync("../shared/dir", join(repo.dir, "apps/common"));
  await repo.commit({}, "links");
  const a = await fetchHead();
  assert.ok(lstatSync(join(a.dir, "apps/linked.yaml")).isSymbolicLink());
  assert.equal(readlinkSync(join(a.dir, "apps/common")), "../shared/dir");
  assert.equal(await digestDirectory(a.dir), a.digest);
  const r = await render({ sourceDir: a.dir, spec: spec("./apps"), owner, digest: a.digest });
  assert.deepEqual(r.objects.map((o) => o.metadata.name).sort(), ["dir-a", "own", "shared"]);
});

test("a symlink leaving the repository stays in the artifact as a link (never followed) and the render refuses it as a symlink", async () => {
  symlinkSync("/etc/hostname", join(repo.dir, "apps/host.yaml"));
  await repo.commit({}, "outside link");
  const a = await fetchHead();
  assert.equal(readlinkSync(join(a.dir, "apps/host.yaml")), "/etc/hostname");
  await assert.rejects(render({ sourceDir: a.dir, spec: spec("./apps"), owner, digest: a.digest }), (err: Error) => {
    assert.ok(err instanceof PlumbError && err.reason === "InvalidPath", String(err));
    assert.equal(err.message, `apps/host.yaml is a symlink to "/etc/hostname", outside the repository (only symlinks inside the repository are followed)`);
    return true;
  });
  await rm(join(repo.dir, "apps/host.yaml"));
  await repo.commit({}, "drop outside link");
});

test("changing only a link's target changes the digest", async () => {
  const before = await fetchHead();
  await rm(join(repo.dir, "apps/linked.yaml"));
  symlinkSync("../shared/dir/a.yaml", join(repo.dir, "apps/linked.yaml"));
  await repo.commit({}, "retarget");
  const after = await fetchHead();
  assert.notEqual(after.digest, before.digest);
});
