import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGitUrl, redactText, redactUrl } from "../../../src/source/git-url.ts";

describe("redactUrl", () => {
  const cases: [string, string][] = [
    ["https://user:s3cret@example.com/repo.git", "https://example.com/repo.git"],
    ["http://token@127.0.0.1:8080/r.git", "http://127.0.0.1:8080/r.git"],
    ["ssh://git@example.com:2222/r.git", "ssh://git@example.com:2222/r.git"],
    ["ssh://git:pw@example.com/r.git", "ssh://git@example.com/r.git"],
    ["https://example.com/a@b", "https://example.com/a@b"],
    ["file:///tmp/repo", "file:///tmp/repo"],
  ];
  for (const [input, want] of cases) it(`${input} -> ${want}`, () => assert.equal(redactUrl(input), want));
});

describe("redactText", () => {
  it("removes secrets and URL passwords", () => {
    const text = "fatal: unable to access 'https://bob:hunter2@h/r.git': token abc123 rejected";
    const out = redactText(text, ["abc123", ""]);
    assert.ok(!out.includes("hunter2"));
    assert.ok(!out.includes("abc123"));
    assert.match(out, /bob:\*\*\*@h/);
  });
});

describe("parseGitUrl", () => {
  it("knows the transports", () => {
    assert.equal(parseGitUrl("https://example.com/r.git").transport, "https");
    assert.equal(parseGitUrl("http://example.com/r.git").transport, "http");
    assert.equal(parseGitUrl("ssh://git@example.com/r.git").transport, "ssh");
    assert.equal(parseGitUrl("file:///srv/r.git").transport, "file");
  });
  it("treats a local path as file://", () => {
    const r = parseGitUrl("repos/app", "/srv");
    assert.equal(r.transport, "file");
    assert.equal(r.url, "file:///srv/repos/app");
    assert.equal(parseGitUrl("/abs/path").url, "file:///abs/path");
  });
  it("keeps credentials out of display", () => {
    const r = parseGitUrl("https://u:p4ss@example.com/r.git");
    assert.equal(r.display, "https://example.com/r.git");
    assert.equal(r.url, "https://u:p4ss@example.com/r.git");
  });
  it("refuses scp-like and unknown schemes", () => {
    assert.throws(() => parseGitUrl("git@github.com:org/repo.git"), /scp-like/);
    assert.throws(() => parseGitUrl("ftp://example.com/r"), /unsupported URL scheme "ftp"/);
    assert.throws(() => parseGitUrl("https://u:secret@/r"), (e: Error) => !e.message.includes("secret"));
  });
});
