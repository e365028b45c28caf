import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { GitRepositoryRef } from "../../../src/core/api-types.ts";
import { describeStrategy, formatRevision, invalidRefName, refNameProblem, refStrategy } from "../../../src/source/ref-strategy.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("refStrategy precedence (commit > name > tag > semver > branch)", () => {
  const cases: [GitRepositoryRef | undefined, string][] = [
    [undefined, "branch:master"],
    [{}, "branch:master"],
    [{ branch: "main" }, "branch:main"],
    [{ branch: "main", tag: "v1" }, "tag:v1"],
    [{ branch: "main", semver: ">=1" }, "semver:>=1"],
    [{ tag: "v1", semver: ">=1" }, "tag:v1"],
    [{ tag: "v1", name: "refs/heads/x" }, "name:refs/heads/x"],
    [{ name: "refs/heads/x", commit: SHA }, "commit"],
    [{ branch: "main", tag: "v1", semver: "*", name: "refs/x", commit: SHA }, "commit"],
  ];
  for (const [ref, want] of cases) {
    it(`${JSON.stringify(ref)} -> ${want}`, () => {
      const s = refStrategy(ref);
      const got = s.kind === "branch" ? `branch:${s.branch}` : s.kind === "tag" ? `tag:${s.tag}` : s.kind === "semver" ? `semver:${s.range}` : s.kind === "name" ? `name:${s.name}` : "commit";
      assert.equal(got, want);
    });
  }
});

describe("formatRevision (Flux revision strings)", () => {
  const cases: [GitRepositoryRef | undefined, string | undefined, string][] = [
    [undefined, undefined, `master@sha1:${SHA}`],
    [{ branch: "feature/x" }, undefined, `feature/x@sha1:${SHA}`],
    [{ tag: "v1.0.0" }, undefined, `v1.0.0@sha1:${SHA}`],
    [{ semver: ">=1.0.0" }, "v1.2.0", `v1.2.0@sha1:${SHA}`],
    [{ name: "refs/heads/main" }, undefined, `refs/heads/main@sha1:${SHA}`],
    [{ name: "refs/pull/1/head" }, undefined, `refs/pull/1/head@sha1:${SHA}`],
    [{ commit: SHA }, undefined, `sha1:${SHA}`],
    [{ commit: SHA, branch: "main" }, undefined, `main@sha1:${SHA}`],
    [{ commit: SHA, branch: "main", name: "refs/x" }, undefined, `refs/heads/main@sha1:${SHA}`],
  ];
  for (const [ref, tag, want] of cases) {
    it(`${JSON.stringify(ref)} -> ${want}`, () => assert.equal(formatRevision(refStrategy(ref), SHA, tag), want));
  }
  it("uses sha256: for SHA-256 object ids", () => {
    const sha256 = "a".repeat(64);
    assert.equal(formatRevision(refStrategy({ branch: "main" }), sha256), `main@sha256:${sha256}`);
  });
});

describe("describeStrategy", () => {
  it("names the ref kind and value", () => {
    assert.equal(describeStrategy(refStrategy({ branch: "nope" })), 'branch "nope"');
    assert.equal(describeStrategy(refStrategy({ semver: "~1" })), 'semver "~1"');
    assert.equal(describeStrategy(refStrategy({ commit: "abcd", branch: "b" })), 'commit "abcd" on branch "b"');
  });
});

describe("ref name validation", () => {
  const bad = ["-x", "/a", "a/", "a..b", "a b", "a:b", "a~1", "a^", "a?", "a*", "a[", "a\\b", "x.lock", "a.", "a@{1}", "@"];
  for (const n of bad) it(`rejects ${JSON.stringify(n)}`, () => assert.ok(refNameProblem(n)));
  for (const n of ["main", "feature/x", "v1.0.0", "release-1.2", "refs/pull/42/head"]) it(`accepts ${n}`, () => assert.equal(refNameProblem(n), undefined));
  it("requires full names for ref.name, hex for ref.commit", () => {
    assert.match(invalidRefName(refStrategy({ name: "main" })) ?? "", /full reference/);
    assert.equal(invalidRefName(refStrategy({ name: "HEAD" })), undefined);
    assert.match(invalidRefName(refStrategy({ commit: "not-a-sha" })) ?? "", /hexadecimal/);
  });
});
