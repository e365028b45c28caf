/** fetchArtifact with credentials in the URL's user-info: used for the fetch, never handed to git in its argv. */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SourceError } from "../../../src/core/errors.ts";
import { fetchArtifact } from "../../../src/source/index.ts";
import { startCmdlineWatchProxy, type CmdlineWatch } from "../../support/cmdline-watch-proxy.ts";
import { startGitHttpServer, type GitHttpServer } from "../../support/git-http-server.ts";
import { createRepo, type TestRepo } from "../../support/git-repo.ts";

const USER = "deploy";
const PASSWORD = "url-pa55-Kq7r/x";

/** Every file under dir whose bytes hold needle. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    if ((await readFile(p)).includes(needle)) hits.push(p);
  }
  return hits;
}

describe("fetchArtifact with credentials in the URL", () => {
  let work: string;
  let repo: TestRepo;
  let server: GitHttpServer;
  let proxy: CmdlineWatch;
  const withUserinfo = (user: string, password: string): string => `${proxy.url.replace("http://", `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`)}/repo.git`;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "plumbline-urlcred-test-"));
    repo = await createRepo({ "k.yaml": "kind: ConfigMap\n" });
    await repo.publish(join(work, "srv"), "repo.git");
    server = await startGitHttpServer({ root: join(work, "srv"), username: USER, password: PASSWORD });
    proxy = await startCmdlineWatchProxy(server.url, [PASSWORD, encodeURIComponent(PASSWORD)]);
  });
  after(async () => {
    await proxy.stop();
    await server.stop();
    await repo.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("fetches with the URL's user-info while no process's command line holds the password", async () => {
    const cacheDir = await mkdtemp(join(work, "cache-"));
    const before = proxy.requests;
    const a = await fetchArtifact({ url: withUserinfo(USER, PASSWORD), interval: "1m", ref: { branch: "main" } }, { cacheDir });
    assert.equal(a.revision, `main@sha1:${await repo.head()}`);
    assert.ok(proxy.requests > before, "the fetch went through the watching proxy");
    assert.ok(proxy.gitSeen.length > 0, "a scan ran while git was running");
    assert.deepEqual(proxy.leaks, []);
    assert.deepEqual(await filesHolding(cacheDir, PASSWORD), [], "the cache holds no copy of the password");
  });

  it("a Secret's credentials win over the URL's, as in source-controller", async () => {
    const a = await fetchArtifact({ url: withUserinfo(USER, "wrong"), interval: "1m", ref: { branch: "main" } }, { cacheDir: await mkdtemp(join(work, "cache-")), auth: { username: USER, password: PASSWORD } });
    assert.equal(a.commit, await repo.head());
  });

  it("a wrong password in the URL is refused, and the message shows neither password nor user-info", async () => {
    await assert.rejects(
      fetchArtifact({ url: withUserinfo(USER, "n0t-Th3-pa55"), interval: "1m", ref: { branch: "main" } }, { cacheDir: await mkdtemp(join(work, "cache-")) }),
      (e: unknown) => e instanceof SourceError && /authentication/i.test(e.message) && !e.message.includes("n0t-Th3-pa55") && !e.message.includes(`${USER}:`),
    );
  });
});
