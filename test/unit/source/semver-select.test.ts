import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConstraint, selectSemverTag, tagVersion, type TagInfo } from "../../../src/source/semver-select.ts";

const tags = (...names: string[]): TagInfo[] => names.map((name, i) => ({ name, commitTime: 1000 + i }));

describe("selectSemverTag", () => {
  const cases: [TagInfo[], string, string | undefined][] = [
    [tags("v1.0.0", "v1.2.0", "v2.0.0"), ">=1.0.0 <2.0.0", "v1.2.0"],
    [tags("v1.0.0", "v1.2.0", "v2.0.0"), ">=1.0.0, <2.0.0", "v1.2.0"], // Masterminds comma
    [tags("v1.0.0", "v1.2.0", "v2.0.0"), "*", "v2.0.0"],
    [tags("1.0.0", "1.0.1", "1.1.0"), "~1.0", "1.0.1"],
    [tags("1.0.0", "1.0.1", "1.1.0"), "~> 1.0.0", "1.0.1"],
    [tags("1.0.0", "1.4.0", "2.0.0"), "^1.0.0", "1.4.0"],
    [tags("1.0.0", "1.4.0", "2.0.0"), "=< 1.4.0", "1.4.0"],
    [tags("1.0.0", "1.4.0", "2.0.0"), "!=2.0.0", "1.4.0"],
    [tags("1.0.0", "3.0.0"), "<1.0.0 || >=3.0.0", "3.0.0"],
    [tags("1.0.0", "1.1.0-rc.1"), ">=1.0.0", "1.0.0"], // prereleases excluded
    [tags("1.0.0", "1.1.0-rc.1"), ">=1.1.0-rc.0", "1.1.0-rc.1"],
    [tags("latest", "release", "v1", "1.2", "v1.0.0"), "*", "v1.0.0"], // non-strict tags ignored
    [tags("v1.0.0", "v2.0.0"), ">=3.0.0", undefined],
    [tags(), "*", undefined],
    // Equal versions: the newest commit wins.
    [[{ name: "1.0.0+b", commitTime: 20 }, { name: "1.0.0+a", commitTime: 10 }], "1.0.0", "1.0.0+b"],
    [[{ name: "v1.0.0", commitTime: 10 }, { name: "1.0.0", commitTime: 20 }], ">=1", "1.0.0"],
  ];
  for (const [t, range, want] of cases) {
    it(`${range} over [${t.map((x) => x.name).join(", ")}] -> ${String(want)}`, () => assert.equal(selectSemverTag(t, range), want));
  }
});

describe("parseConstraint / tagVersion", () => {
  it("rejects invalid ranges with the range in the message", () => {
    assert.throws(() => parseConstraint("not a range!"), /semver "not a range!"/);
    assert.throws(() => parseConstraint(""), /semver/);
  });
  it("parses strict versions with an optional leading v only", () => {
    assert.equal(tagVersion("v1.2.3")?.version, "1.2.3");
    assert.equal(tagVersion("1.2.3-rc.1+meta")?.version, "1.2.3-rc.1");
    assert.equal(tagVersion("v1.2"), null);
    assert.equal(tagVersion("vv1.2.3"), null);
    assert.equal(tagVersion("=1.2.3"), null);
  });
});
