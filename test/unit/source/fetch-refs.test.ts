/** fetchArtifact against local repositories (file:// and plain paths): refs, revisions, caching, ignore, digest. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GitRepositorySpec } from "../../../src/core/api-types.ts";
import { SourceError } from "../../../src/core/errors.ts";
import { digestDirectory, fetchArtifact } from "../../../src/source/index.ts";
import { createRepo, type TestRepo } from "../../support/git-repo.ts";

const files = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

describe("fetchArtifact (local repositories)", () => {
  let work: string;
  let repo: TestRepo;
  let bare: string;
  const sha: Record<string, string> = {};
  const spec = (ref?: GitRepositorySpec["ref"], extra: Partial<GitRepositorySpec> = {}): GitRepositorySpec => ({ url: `file://${bare}`, interval: "1m", ...(ref ? { ref } : {}), ...extra });
  const cache = async (): Promise<string> => mkdtemp(join(work, "cache-"));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "plumbline-src-test-"));
    repo = await createRepo({ "app/deploy.yaml": "v: 1\n" }, { branch: "master" });
    sha.c1 = await repo.head();
    await repo.tag("v1.0.0");
    sha.c2 = await repo.commit({ "app/deploy.yaml": "v: 2\n" }, "two");
    await repo.tag("v1.2.0", { message: "annotated" });
    await repo.tag("not-semver");
    sha.c3 = await repo.commit({ "app/deploy.yaml": "v: 3\n" }, "three");
    await repo.tag("v2.0.0");
    await repo.branch("feature/x");
    sha.f1 = await repo.commit({ "feature.yaml": "f\n" }, "feature");
    await repo.checkout("master");
    bare = await repo.publish(work, "app.git");
  });
  after(async () => {
    await repo.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("defaults to branch master, with a <branch>@sha1 revision", async () => {
    const a = await fetchArtifact(spec(), { cacheDir: await cache() });
    assert.equal(a.revision, `master@sha1:${sha.c3}`);
    assert.equal(a.commit, sha.c3);
    assert.equal(await readFile(join(a.dir, "app/deploy.yaml"), "utf8"), "v: 3\n");
    assert.match(a.digest, /^sha256:[0-9a-f]{64}$/);
    assert.match(a.lastUpdateTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(a.size, "v: 3\n".length);
  });

  it("follows a branch with a slash in its name", async () => {
    const a = await fetchArtifact(spec({ branch: "feature/x" }), { cacheDir: await cache() });
    assert.equal(a.revision, `feature/x@sha1:${sha.f1}`);
    assert.deepEqual(await files(a.dir), ["app/deploy.yaml", "feature.yaml"]);
  });

  it("checks out a lightweight and an annotated tag at their commits", async () => {
    const c = await cache();
    const light = await fetchArtifact(spec({ tag: "v1.0.0" }), { cacheDir: c });
    assert.equal(light.revision, `v1.0.0@sha1:${sha.c1}`);
    assert.equal(await readFile(join(light.dir, "app/deploy.yaml"), "utf8"), "v: 1\n");
    const annotated = await fetchArtifact(spec({ tag: "v1.2.0" }), { cacheDir: c });
    assert.equal(annotated.revision, `v1.2.0@sha1:${sha.c2}`);
  });

  it("picks the highest tag in a semver range and reports that tag", async () => {
    const a = await fetchArtifact(spec({ semver: ">=1.0.0 <2.0.0" }), { cacheDir: await cache() });
    assert.equal(a.revision, `v1.2.0@sha1:${sha.c2}`);
    assert.equal(await readFile(join(a.dir, "app/deploy.yaml"), "utf8"), "v: 2\n");
  });

  it("fetches a commit: sha1:<hex> alone, <branch>@sha1:<hex> with a branch", async () => {
    const c = await cache();
    const bareCommit = await fetchArtifact(spec({ commit: sha.c1 as string }), { cacheDir: c });
    assert.equal(bareCommit.revision, `sha1:${sha.c1}`);
    assert.equal(await readFile(join(bareCommit.dir, "app/deploy.yaml"), "utf8"), "v: 1\n");
    const onBranch = await fetchArtifact(spec({ commit: sha.c2 as string, branch: "master" }), { cacheDir: c });
    assert.equal(onBranch.revision, `master@sha1:${sha.c2}`);
  });

  it("refuses a commit that is not on the given branch", async () => {
    await assert.rejects(fetchArtifact(spec({ commit: sha.f1 as string, branch: "master" }), { cacheDir: await cache() }), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, /commit "[0-9a-f]+" on branch "master" not found/);
      return true;
    });
  });

  it("follows ref.name with the full ref name in the revision", async () => {
    const c = await cache();
    const head = await fetchArtifact(spec({ name: "refs/heads/feature/x" }), { cacheDir: c });
    assert.equal(head.revision, `refs/heads/feature/x@sha1:${sha.f1}`);
    const tag = await fetchArtifact(spec({ name: "refs/tags/v1.2.0" }), { cacheDir: c });
    assert.equal(tag.revision, `refs/tags/v1.2.0@sha1:${sha.c2}`);
  });

  it("applies precedence: commit over tag over branch, tag over semver", async () => {
    const c = await cache();
    assert.equal((await fetchArtifact(spec({ branch: "master", tag: "v1.0.0" }), { cacheDir: c })).commit, sha.c1);
    assert.equal((await fetchArtifact(spec({ tag: "v1.0.0", semver: ">=2.0.0" }), { cacheDir: c })).commit, sha.c1);
    assert.equal((await fetchArtifact(spec({ tag: "v2.0.0", commit: sha.c2 as string }), { cacheDir: c })).revision, `sha1:${sha.c2}`);
  });

  it("accepts a plain local path as the URL", async () => {
    const a = await fetchArtifact({ url: bare, interval: "1m", ref: { tag: "v2.0.0" } }, { cacheDir: await cache() });
    assert.equal(a.revision, `v2.0.0@sha1:${sha.c3}`);
  });

  it("gives clear SourceErrors for a missing branch, tag, semver match and repository", async () => {
    const c = await cache();
    const cases: [GitRepositorySpec, RegExp][] = [
      [spec({ branch: "nope" }), new RegExp(`^git file://${bare}: branch "nope" not found$`)],
      [spec({ tag: "v9" }), /: tag "v9" not found$/],
      [spec({ semver: ">=5.0.0" }), /: no tag matches semver ">=5.0.0"$/],
      [spec({ semver: "garbage!" }), /semver "garbage!": invalid range/],
      [spec({ name: "main" }), /ref\.name must be a full reference/],
      [spec({ commit: "f".repeat(40) }), /commit "f{40}" not found/],
      [{ url: `file://${work}/missing.git`, interval: "1m" }, /missing\.git: fetching branch "master": repository not found/],
    ];
    for (const [s, re] of cases) {
      await assert.rejects(fetchArtifact(s, { cacheDir: c }), (e: Error) => {
        assert.ok(e instanceof SourceError, `${e.name}: ${e.message}`);
        assert.equal(e.reason, "ArtifactFailed");
        assert.match(e.message, re);
        return true;
      });
    }
  });

  it("fetches incrementally into the cache and picks up new commits", async () => {
    const r = await createRepo({ "a.yaml": "a\n" });
    try {
      const b = await r.publish(work, "incremental.git");
      const c = await cache();
      const s: GitRepositorySpec = { url: `file://${b}`, interval: "1m", ref: { branch: "main" } };
      const first = await fetchArtifact(s, { cacheDir: c });
      assert.equal(first.cloned, true);
      assert.equal(first.reused, false);
      const again = await fetchArtifact(s, { cacheDir: c });
      assert.equal(again.cloned, false);
      assert.equal(again.reused, true, "same commit, same ignore rules: no checkout");
      assert.equal(again.commit, first.commit);
      assert.equal(again.digest, first.digest);
      assert.equal(again.dir, first.dir);
      const next = await r.commit({ "b.yaml": "b\n" }, "second");
      await r.publish(work, "incremental.git");
      const third = await fetchArtifact(s, { cacheDir: c });
      assert.equal(third.cloned, false);
      assert.equal(third.reused, false, "a new commit is checked out");
      assert.equal(third.commit, next);
      assert.equal(third.revision, `main@sha1:${next}`);
      assert.notEqual(third.digest, first.digest);
      assert.deepEqual(await files(third.dir), ["a.yaml", "b.yaml"]);
      // The older artifact is untouched.
      assert.deepEqual(await files(first.dir), ["a.yaml"]);
      // other ignore rules for the same commit: built again, into another artifact
      const ignoring = await fetchArtifact({ ...s, ignore: "b.yaml" }, { cacheDir: c });
      assert.equal(ignoring.reused, false);
      assert.deepEqual(await files(ignoring.dir), ["a.yaml"]);
      assert.equal((await fetchArtifact({ ...s, ignore: "b.yaml" }, { cacheDir: c })).reused, true);
      // an artifact directory removed from the cache is rebuilt, not trusted from its record
      await rm(third.dir, { recursive: true, force: true });
      const rebuilt = await fetchArtifact(s, { cacheDir: c });
      assert.equal(rebuilt.reused, false);
      assert.equal(rebuilt.digest, third.digest);
      assert.deepEqual(await files(rebuilt.dir), ["a.yaml", "b.yaml"]);
    } finally {
      await r.remove();
    }
  });

  it("digest depends only on the tree: same across caches, matches digestDirectory", async () => {
    const a = await fetchArtifact(spec({ tag: "v1.2.0" }), { cacheDir: await cache() });
    const b = await fetchArtifact(spec({ commit: sha.c2 as string }), { cacheDir: await cache() });
    assert.equal(a.digest, b.digest);
    assert.equal(await digestDirectory(a.dir), a.digest);
    const other = await fetchArtifact(spec({ tag: "v1.0.0" }), { cacheDir: await cache() });
    assert.notEqual(other.digest, a.digest);
  });

  it("excludes Flux's defaults, honours .sourceignore at any level, and spec.ignore", async () => {
    const r = await createRepo({
      "deploy/app.yaml": "app\n",
      "deploy/notes.md": "notes\n",
      "deploy/logo.png": "png",
      ".github/workflows/ci.yaml": "ci\n",
      ".gitignore": "tmp/\n",
      "tools/run.sh": "#!/bin/sh\necho hi\n",
      "README.md": "readme\n",
    });
    try {
      const b = await r.publish(work, "ignore.git");
      const c = await cache();
      const s: GitRepositorySpec = { url: `file://${b}`, interval: "1m", ref: { branch: "main" } };

      const defaults = await fetchArtifact(s, { cacheDir: c });
      assert.deepEqual(await files(defaults.dir), ["README.md", "deploy/app.yaml", "deploy/notes.md", "tools/run.sh"]);
      assert.equal((await stat(join(defaults.dir, "tools/run.sh"))).mode & 0o777, 0o755);
      assert.equal((await stat(join(defaults.dir, "README.md"))).mode & 0o777, 0o644);

      await r.commit({ ".sourceignore": "README.md\n", "deploy/.sourceignore": "*.md\n" }, "sourceignore");
      await r.publish(work, "ignore.git");
      const withFiles = await fetchArtifact(s, { cacheDir: c });
      // A .sourceignore replaces the defaults: the png and .github come back; VCS files stay out.
      assert.deepEqual(await files(withFiles.dir), [".github/workflows/ci.yaml", ".sourceignore", "deploy/.sourceignore", "deploy/app.yaml", "deploy/logo.png", "tools/run.sh"]);

      const withSpec = await fetchArtifact({ ...s, ignore: "/*\n!/deploy/\n/deploy/**/*.png\n" }, { cacheDir: c });
      // spec.ignore has the last word: its `!/deploy/` re-includes deploy/notes.md over deploy/.sourceignore's `*.md`.
      assert.deepEqual(await files(withSpec.dir), ["deploy/.sourceignore", "deploy/app.yaml", "deploy/notes.md"]);
      assert.notEqual(withSpec.digest, withFiles.digest);
      assert.equal(withSpec.commit, withFiles.commit);
    } finally {
      await r.remove();
    }
  });

  it("leaves no work directories behind", async () => {
    const c = await cache();
    await fetchArtifact(spec(), { cacheDir: c });
    await assert.rejects(fetchArtifact(spec({ branch: "nope" }), { cacheDir: c }));
    assert.deepEqual(await readdir(join(c, "tmp")), []);
    assert.ok(existsSync(join(c, "repos")));
  });
});
