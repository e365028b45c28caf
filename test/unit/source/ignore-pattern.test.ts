import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globMatch, matchPattern, parsePattern, readPatterns } from "../../../src/source/ignore-pattern.ts";

describe("globMatch (Go path.Match on one component)", () => {
  const cases: [string, string, boolean][] = [
    ["*.yaml", "a.yaml", true],
    ["*.yaml", "a.yml", false],
    ["*", ".hidden", true],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["[abc].txt", "b.txt", true],
    ["[^abc].txt", "b.txt", false],
    ["[^abc].txt", "d.txt", true],
    ["[a-c]x", "cx", true],
    ["[a-c]x", "dx", false],
    ["\\*", "*", true],
    ["\\*", "a", false],
    ["a.b", "axb", false],
    ["(x)+", "(x)+", true],
    ["[", "[", false], // malformed: matches nothing
    ["[]a]", "]", false], // malformed in Go
    ["[\\]a]", "]", true],
    ["é?", "éü", true],
  ];
  for (const [pattern, name, want] of cases) {
    it(`${pattern} vs ${name} -> ${want}`, () => assert.equal(globMatch(pattern, name), want));
  }
});

describe("matchPattern (go-git gitignore semantics)", () => {
  const cases: { pattern: string; domain?: string[]; path: string; isDir?: boolean; want: "none" | "exclude" | "include" }[] = [
    { pattern: "foo", path: "foo", want: "exclude" },
    { pattern: "foo", path: "a/foo", want: "exclude" },
    { pattern: "foo", path: "foo/bar.yaml", want: "exclude" }, // any component
    { pattern: "foo/", path: "foo", want: "none" }, // dir-only, file named foo
    { pattern: "foo/", path: "foo", isDir: true, want: "exclude" },
    { pattern: "foo/", path: "foo/x", want: "exclude" },
    { pattern: "/foo", path: "foo", want: "exclude" },
    { pattern: "/foo", path: "a/foo", want: "none" }, // anchored
    { pattern: "/foo", path: "foo/x", want: "exclude" },
    { pattern: "a/b", path: "a/b", want: "exclude" },
    { pattern: "a/b", path: "x/a/b", want: "none" },
    { pattern: "a/*.md", path: "a/readme.md", want: "exclude" },
    { pattern: "a/*.md", path: "a/sub/readme.md", want: "none" },
    { pattern: "**/x.yaml", path: "x.yaml", want: "exclude" },
    { pattern: "**/x.yaml", path: "a/b/x.yaml", want: "exclude" },
    { pattern: "a/**/z", path: "a/z", want: "exclude" },
    { pattern: "a/**/z", path: "a/b/c/z", want: "exclude" },
    { pattern: "a/**/z", path: "a/b/c/y", want: "none" },
    { pattern: "a/**", path: "a/b/c", want: "exclude" },
    { pattern: "/deploy/**/*.md", path: "deploy/x/y.md", want: "exclude" },
    { pattern: "/deploy/**/*.md", path: "deploy/x/y.yaml", want: "none" },
    { pattern: "!keep.yaml", path: "keep.yaml", want: "include" },
    { pattern: "!/deploy", path: "deploy/app.yaml", want: "include" },
    { pattern: "*.txt   ", path: "a.txt", want: "exclude" }, // trailing spaces trimmed
    { pattern: "sub.yaml", domain: ["dir"], path: "dir/sub.yaml", want: "exclude" },
    { pattern: "sub.yaml", domain: ["dir"], path: "other/sub.yaml", want: "none" },
    { pattern: "sub.yaml", domain: ["dir"], path: "dir", isDir: true, want: "none" },
    { pattern: "/x", domain: ["dir"], path: "dir/x", want: "exclude" },
    { pattern: "/x", domain: ["dir"], path: "dir/y/x", want: "none" },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.pattern)}${c.domain ? ` in ${c.domain.join("/")}` : ""} vs ${c.path}${c.isDir ? "/" : ""} -> ${c.want}`, () => {
      const p = parsePattern(c.pattern, c.domain ?? []);
      assert.equal(matchPattern(p, c.path.split("/"), c.isDir ?? false), c.want);
    });
  }
});

describe("readPatterns", () => {
  it("skips comments and blank lines, keeps order, handles CRLF", () => {
    const ps = readPatterns("# comment\n\n*.md\r\n  \n!README.md\n", ["d"]);
    assert.equal(ps.length, 2);
    assert.deepEqual(ps[0]?.segments, ["*.md"]);
    assert.deepEqual(ps[0]?.domain, ["d"]);
    assert.equal(ps[1]?.inclusion, true);
  });
});
