/** fetchArtifact over SSH against a real sshd. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SourceError } from "../../../src/core/errors.ts";
import { fetchArtifact } from "../../../src/source/index.ts";
import { createRepo, type TestRepo } from "../../support/git-repo.ts";
import { generateSshKey, startGitSshServer, type GitSshServer } from "../../support/git-ssh-server.ts";

describe("fetchArtifact over SSH", () => {
  let work: string;
  let repo: TestRepo;
  let bare: string;
  let server: GitSshServer;
  const cache = (): Promise<string> => mkdtemp(join(work, "cache-"));

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "plumbline-ssh-test-"));
    repo = await createRepo({ "ssh.yaml": "over: ssh\n" });
    await repo.tag("v1.0.0");
    bare = await repo.publish(join(work, "srv"), "repo.git");
    server = await startGitSshServer();
  });
  after(async () => {
    await server?.stop();
    await repo?.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("clones with the right key and known_hosts", async () => {
    const a = await fetchArtifact(
      { url: `${server.url}${bare}`, interval: "1m", ref: { branch: "main" } },
      { cacheDir: await cache(), auth: { identity: server.clientPrivateKey, knownHosts: server.knownHosts } },
    );
    assert.equal(a.revision, `main@sha1:${await repo.head()}`);
    assert.equal(await readFile(join(a.dir, "ssh.yaml"), "utf8"), "over: ssh\n");
    const tag = await fetchArtifact({ url: `${server.url}${bare}`, interval: "1m", ref: { semver: "1.x" } }, { cacheDir: await cache(), auth: { identity: server.clientPrivateKey, knownHosts: server.knownHosts } });
    assert.equal(tag.revision, `v1.0.0@sha1:${await repo.head()}`);
  });

  it("fails on a wrong host key with a clear error", async () => {
    const other = await generateSshKey();
    const wrongKnownHosts = `[127.0.0.1]:${server.port} ${other.publicKey.split(" ").slice(0, 2).join(" ")}`;
    await assert.rejects(
      fetchArtifact({ url: `${server.url}${bare}`, interval: "1m", ref: { branch: "main" } }, { cacheDir: await cache(), auth: { identity: server.clientPrivateKey, knownHosts: wrongKnownHosts } }),
      (e: Error) => {
        assert.ok(e instanceof SourceError);
        assert.match(e.message, /host key verification failed/);
        assert.ok(!e.message.includes("PRIVATE KEY"));
        return true;
      },
    );
  });

  it("fails with an unauthorized key as an authentication failure", async () => {
    const stranger = await generateSshKey();
    await assert.rejects(
      fetchArtifact({ url: `${server.url}${bare}`, interval: "1m", ref: { branch: "main" } }, { cacheDir: await cache(), auth: { identity: stranger.privateKey, knownHosts: server.knownHosts } }),
      (e: Error) => {
        assert.match(e.message, /authentication failed/);
        assert.ok(!e.message.includes(stranger.privateKey.trim()));
        return true;
      },
    );
  });

  it("removes the temporary key directory afterwards", async () => {
    const { readdir } = await import("node:fs/promises");
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith("plumbline-ssh-") && !n.startsWith("plumbline-ssh-test-"));
    await fetchArtifact({ url: `${server.url}${bare}`, interval: "1m", ref: { branch: "main" } }, { cacheDir: await cache(), auth: { identity: server.clientPrivateKey, knownHosts: server.knownHosts } });
    const afterList = (await readdir(tmpdir())).filter((n) => n.startsWith("plumbline-ssh-") && !n.startsWith("plumbline-ssh-test-"));
    assert.deepEqual(afterList.filter((n) => !before.includes(n)), []);
  });
});
