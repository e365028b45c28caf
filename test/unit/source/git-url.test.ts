import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withUrlCredentials } from "../../../src/source/git-auth.ts";
import { parseGitUrl, redactText, redactUrl, splitUrlCredentials } from "../../../src/source/git-url.ts";

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
  it("keeps credentials out of display and out of what git is given", () => {
    const r = parseGitUrl("https://u:p4%40ss@example.com/r.git");
    assert.equal(r.display, "https://example.com/r.git");
    assert.equal(r.url, "https://example.com/r.git");
    assert.deepEqual(r.credentials, { username: "u", password: "p4@ss" });
    const ssh = parseGitUrl("ssh://git:pw@example.com:2222/r.git");
    assert.equal(ssh.url, "ssh://git@example.com:2222/r.git");
    assert.equal(ssh.credentials, undefined);
  });
  it("refuses scp-like and unknown schemes", () => {
    assert.throws(() => parseGitUrl("git@github.com:org/repo.git"), /scp-like/);
    assert.throws(() => parseGitUrl("ftp://example.com/r"), /unsupported URL scheme "ftp"/);
    assert.throws(() => parseGitUrl("https://u:secret@/r"), (e: Error) => !e.message.includes("secret"));
  });
});

describe("splitUrlCredentials", () => {
  it("takes the whole user-info out of http(s) URLs, percent-decoded", () => {
    assert.deepEqual(splitUrlCredentials("https://bob:hunter%3A2@git.example/fleet.git"), { url: "https://git.example/fleet.git", credentials: { username: "bob", password: "hunter:2" } });
    assert.deepEqual(splitUrlCredentials("http://tok3n@127.0.0.1:8080/r.git"), { url: "http://127.0.0.1:8080/r.git", credentials: { username: "tok3n" } });
    assert.deepEqual(splitUrlCredentials("HTTPS://a:b@c@h/r.git"), { url: "HTTPS://h/r.git", credentials: { username: "a", password: "b@c" } });
  });
  it("keeps an ssh user, drops an ssh password, and leaves other URLs alone", () => {
    assert.deepEqual(splitUrlCredentials("ssh://git:pw@h/r.git"), { url: "ssh://git@h/r.git", droppedPassword: true });
    assert.deepEqual(splitUrlCredentials("ssh://git@h/r.git"), { url: "ssh://git@h/r.git" });
    assert.deepEqual(splitUrlCredentials("https://git.example/a@b"), { url: "https://git.example/a@b" });
    assert.deepEqual(splitUrlCredentials("/srv/repo"), { url: "/srv/repo" });
  });
});

describe("withUrlCredentials", () => {
  it("uses the URL's credentials only when the Secret holds no basic or bearer credentials", () => {
    const url = { username: "u", password: "p" };
    assert.deepEqual(withUrlCredentials(undefined, url), { username: "u", password: "p" });
    assert.deepEqual(withUrlCredentials({ knownHosts: "h" }, url), { knownHosts: "h", username: "u", password: "p" });
    assert.deepEqual(withUrlCredentials({ username: "s", password: "q" }, url), { username: "s", password: "q" });
    assert.deepEqual(withUrlCredentials({ bearerToken: "t" }, url), { bearerToken: "t" });
    assert.equal(withUrlCredentials(undefined, undefined), undefined);
  });
});
