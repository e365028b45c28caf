/** fetchArtifact over smart HTTP (git http-backend behind basic/bearer auth). */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GitRepositorySpec } from "../../../src/core/api-types.ts";
import { SourceError } from "../../../src/core/errors.ts";
import { authFromSecretData, fetchArtifact } from "../../../src/source/index.ts";
import { startGitHttpServer, type GitHttpServer } from "../../support/git-http-server.ts";
import { createRepo, type TestRepo } from "../../support/git-repo.ts";

const USER = "flux";
const PASSWORD = "pa55-w0rd-Zq9";
const TOKEN = "tok-7f1e2d3c4b5a";

describe("fetchArtifact over HTTP", () => {
  let work: string;
  let root: string;
  let repo: TestRepo;
  let server: GitHttpServer;
  let url: string;
  const spec = (ref: GitRepositorySpec["ref"] = { branch: "main" }): GitRepositorySpec => ({ url, interval: "1m", ref });
  const cache = (): Promise<string> => mkdtemp(join(work, "cache-"));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "plumbline-http-test-"));
    root = join(work, "srv");
    repo = await createRepo({ "k.yaml": "kind: ConfigMap\n" });
    await repo.publish(root, "repo.git");
    server = await startGitHttpServer({ root, username: USER, password: PASSWORD, bearerToken: TOKEN });
    url = `${server.url}/repo.git`;
  });
  after(async () => {
    await server.stop();
    await repo.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("the server itself refuses missing credentials with 401 and WWW-Authenticate: Basic", async () => {
    const res = await fetch(`${url}/info/refs?service=git-upload-pack`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic/);
  });

  it("clones with the right basic credentials", async () => {
    const a = await fetchArtifact(spec(), { cacheDir: await cache(), auth: { username: USER, password: PASSWORD } });
    assert.equal(a.revision, `main@sha1:${await repo.head()}`);
    assert.equal(await readFile(join(a.dir, "k.yaml"), "utf8"), "kind: ConfigMap\n");
  });

  it("reads credentials from Secret data", async () => {
    const auth = authFromSecretData({ username: Buffer.from(USER).toString("base64"), password: Buffer.from(PASSWORD).toString("base64") });
    const a = await fetchArtifact(spec(), { cacheDir: await cache(), auth });
    assert.equal(a.commit, await repo.head());
  });

  it("clones with a bearer token", async () => {
    const a = await fetchArtifact(spec(), { cacheDir: await cache(), auth: { bearerToken: TOKEN } });
    assert.equal(a.commit, await repo.head());
  });

  it("is refused with a wrong password, and the error never shows the password", async () => {
    const wrong = "Wr0ng-Secret-xyz";
    await assert.rejects(fetchArtifact(spec(), { cacheDir: await cache(), auth: { username: USER, password: wrong } }), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, new RegExp(`^git ${server.url}/repo\\.git: fetching branch "main": authentication failed`));
      assert.ok(!e.message.includes(wrong));
      assert.ok(!e.message.includes(Buffer.from(`${USER}:${wrong}`).toString("base64")));
      return true;
    });
  });

  it("is refused without credentials and with a wrong token", async () => {
    await assert.rejects(fetchArtifact(spec(), { cacheDir: await cache() }), /authentication failed/);
    await assert.rejects(fetchArtifact(spec(), { cacheDir: await cache(), auth: { bearerToken: "nope-token" } }), (e: Error) => {
      assert.match(e.message, /authentication failed/);
      assert.ok(!e.message.includes("nope-token"));
      return true;
    });
  });

  it("strips credentials embedded in the URL from messages", async () => {
    const withCreds = url.replace("http://", `http://${USER}:${PASSWORD}@`);
    await assert.rejects(fetchArtifact({ url: withCreds, interval: "1m", ref: { branch: "nope" } }, { cacheDir: await cache() }), (e: Error) => {
      assert.equal(e.message, `git ${url}: branch "nope" not found`);
      return true;
    });
  });

  it("refuses basic auth and a bearer token together, as Flux does", async () => {
    await assert.rejects(fetchArtifact(spec(), { cacheDir: await cache(), auth: { username: USER, password: PASSWORD, bearerToken: TOKEN } }), (e: Error) => {
      assert.match(e.message, /basic auth and bearer token cannot be set at the same time/);
      assert.ok(!e.message.includes(PASSWORD) && !e.message.includes(TOKEN));
      return true;
    });
  });

  it("names a missing branch clearly", async () => {
    await assert.rejects(fetchArtifact(spec({ branch: "nope" }), { cacheDir: await cache(), auth: { username: USER, password: PASSWORD } }), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.message, `git ${url}: branch "nope" not found`);
      return true;
    });
  });

  it("second fetch is incremental (a fetch, not a clone) and sees a new commit", async () => {
    const c = await cache();
    const auth = { username: USER, password: PASSWORD };
    const first = await fetchArtifact(spec(), { cacheDir: c, auth });
    assert.equal(first.cloned, true);
    const next = await repo.commit({ "more.yaml": "x: 1\n" }, "more");
    await repo.publish(root, "repo.git");
    const second = await fetchArtifact(spec(), { cacheDir: c, auth });
    assert.equal(second.cloned, false);
    assert.equal(second.commit, next);
    assert.equal(await readFile(join(second.dir, "more.yaml"), "utf8"), "x: 1\n");
  });

  it("reports an unreachable remote", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = `http://127.0.0.1:${port}/repo.git`;
    await assert.rejects(fetchArtifact({ url: dead, interval: "1m" }, { cacheDir: await cache() }), (e: Error) => {
      assert.ok(e instanceof SourceError);
      assert.match(e.message, new RegExp(`^git ${dead}: fetching branch "master": unable to reach remote`));
      return true;
    });
  });

  it("times out against a server that never answers, and says so", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    try {
      const { port } = silent.address() as AddressInfo;
      const started = Date.now();
      await assert.rejects(fetchArtifact({ url: `http://127.0.0.1:${port}/r.git`, interval: "1m" }, { cacheDir: await cache(), timeoutMs: 700 }), /timed out after 0\.7s/);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it("honours a caller's AbortSignal", async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(fetchArtifact(spec(), { cacheDir: await cache(), auth: { bearerToken: TOKEN }, signal: ac.signal }), /aborted/);
  });
});
