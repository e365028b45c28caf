import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildIgnoreFilter, orderIgnoreFiles } from "../../../src/source/source-ignore.ts";

const excluded = (f: ReturnType<typeof buildIgnoreFilter>, path: string): boolean => f(path.split("/"), false);

describe("buildIgnoreFilter", () => {
  it("applies VCS and default exclusions when there are no patterns", () => {
    const f = buildIgnoreFilter([], undefined);
    for (const p of [".gitignore", ".gitmodules", "sub/.gitattributes", "logo.png", "a/b/c.jpg", "x.tar.gz", ".github/workflows/ci.yaml", ".circleci/config.yml", ".travis.yml", "appveyor.yml", "a/.goreleaser.yml", "deep/.sops.yaml", ".flux.yaml", "cloudbuild.yaml"]) {
      assert.equal(excluded(f, p), true, p);
    }
    for (const p of ["kustomization.yaml", "apps/deploy.yaml", ".sourceignore", "png/readme.md", "a.tar"]) {
      assert.equal(excluded(f, p), false, p);
    }
  });

  it("a .sourceignore replaces the defaults (VCS exclusions stay)", () => {
    const f = buildIgnoreFilter([{ dir: [], text: "*.md\n" }], undefined);
    assert.equal(excluded(f, "README.md"), true);
    assert.equal(excluded(f, "logo.png"), false);
    assert.equal(excluded(f, ".github/x.yaml"), false);
    assert.equal(excluded(f, ".gitignore"), true);
  });

  it("spec.ignore replaces the defaults and overrides .sourceignore", () => {
    const f = buildIgnoreFilter([{ dir: [], text: "secret.yaml\n" }], "!secret.yaml\n*.png\n");
    assert.equal(excluded(f, "secret.yaml"), false);
    assert.equal(excluded(f, "logo.png"), true);
    assert.equal(excluded(f, ".travis.yml"), false);
  });

  it("spec.ignore with only comments keeps the defaults", () => {
    const f = buildIgnoreFilter([], "# nothing\n");
    assert.equal(excluded(f, "logo.png"), true);
  });

  it("the Flux docs example: exclude all, re-include /deploy, drop docs there", () => {
    const f = buildIgnoreFilter([], "/*\n!/deploy\n/deploy/**/*.md\n/deploy/**/*.txt\n");
    assert.equal(excluded(f, "README.md"), true);
    assert.equal(excluded(f, "src/main.go"), true);
    assert.equal(excluded(f, "deploy/app.yaml"), false);
    assert.equal(excluded(f, "deploy/x/notes.md"), true);
    assert.equal(excluded(f, "deploy/x/notes.txt"), true);
  });

  it("a nested .sourceignore applies to its directory only, and deeper files win", () => {
    const f = buildIgnoreFilter(
      [
        { dir: ["apps"], text: "!keep.yaml\n" },
        { dir: [], text: "keep.yaml\ntmp/\n" },
      ],
      undefined,
    );
    assert.equal(excluded(f, "keep.yaml"), true);
    assert.equal(excluded(f, "apps/keep.yaml"), false);
    assert.equal(excluded(f, "other/keep.yaml"), true);
    assert.equal(excluded(f, "apps/tmp/x.yaml"), true);
  });
});

describe("orderIgnoreFiles", () => {
  it("orders root first, then depth-first by name", () => {
    const dirs = [["b"], ["a", "z"], [], ["a"], ["a", "b", "c"]].map((dir) => ({ dir }));
    assert.deepEqual(
      orderIgnoreFiles(dirs).map((d) => d.dir.join("/")),
      ["", "a", "a/b/c", "a/z", "b"],
    );
  });
});
