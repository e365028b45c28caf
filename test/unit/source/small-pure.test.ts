import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGoDuration } from "../../../src/source/duration.ts";
import { authFromSecretData, authSecrets } from "../../../src/source/git-auth.ts";
import { classifyGitStderr, stderrSummary } from "../../../src/source/git-errors.ts";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("parseGoDuration", () => {
  const cases: [string, number][] = [["60s", 60_000], ["1m30s", 90_000], ["1.5h", 5_400_000], ["500ms", 500], ["0", 0], ["2h45m", 9_900_000]];
  for (const [s, ms] of cases) it(`${s} -> ${ms}ms`, () => assert.equal(parseGoDuration(s), ms));
  for (const s of ["", "10", "1d", "s", "1m x"]) it(`rejects ${JSON.stringify(s)}`, () => assert.throws(() => parseGoDuration(s), /invalid duration/));
});

describe("authFromSecretData", () => {
  it("decodes the keys Flux reads", () => {
    const auth = authFromSecretData({ username: b64("git"), password: b64("pw"), bearerToken: b64("tok"), identity: b64("KEY"), known_hosts: b64("host ssh-ed25519 AAAA"), other: b64("x") });
    assert.deepEqual(auth, { username: "git", password: "pw", bearerToken: "tok", identity: "KEY", knownHosts: "host ssh-ed25519 AAAA" });
  });
  it("leaves absent keys out", () => assert.deepEqual(authFromSecretData({}), {}));
  it("lists the basic header's base64 among the secrets", () => {
    assert.ok(authSecrets({ username: "u", password: "p" }).includes(b64("u:p")));
  });
});

describe("classifyGitStderr", () => {
  const cases: [string, string][] = [
    ["fatal: couldn't find remote ref refs/heads/nope", "ref-not-found"],
    ["fatal: Authentication failed for 'http://h/r.git/'", "auth"],
    ["fatal: could not read Username for 'http://h': terminal prompts disabled", "auth"],
    ["git@h: Permission denied (publickey).", "auth"],
    ["@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.", "host-key"],
    ["fatal: '/x' does not appear to be a git repository", "repo-not-found"],
    ["fatal: unable to access 'http://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1: Connection refused", "unreachable"],
    ["something odd", "other"],
  ];
  for (const [stderr, want] of cases) it(`${want}: ${stderr.split("\n").at(-1)}`, () => assert.equal(classifyGitStderr(stderr), want));
  it("summarises the fatal lines", () => {
    assert.equal(stderrSummary("hint: a\nremote: Counting\nfatal: boom\n"), "remote: Counting; fatal: boom");
  });
});
