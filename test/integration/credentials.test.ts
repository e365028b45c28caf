import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GIT_REPOSITORY_API_VERSION } from "../../src/core/flux-api.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { main } from "../../src/cli/main.ts";
import { type CliRun } from "../support/cli.ts";
import { startCmdlineWatchProxy } from "../support/cmdline-watch-proxy.ts";
import { createRepo } from "../support/git-repo.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";

const USER = "fleet-bot";
const PASSWORD = "Pw-in-url-9xQ/z";

/** `plumb` in process with extra environment (for --password-env). */
async function plumbEnv(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => { out += s; }, stderr: (s: string) => { err += s; }, env: { ...process.env, KUBECONFIG: testKubeconfig(), ...env }, cwd: process.cwd() };
  const code = await main(args, io);
  return { code, out, err };
}

const withUserinfo = (base: string, path: string): string => `${base.replace("http://", `http://${USER}:${encodeURIComponent(PASSWORD)}@`)}${path}`;
const decoded = (o: KubeObjectLike | undefined, key: string): string => Buffer.from((o?.data ?? {})[key] ?? "", "base64").toString("utf8");
interface KubeObjectLike { data?: Record<string, string> }
const secret = async (kube: KubeClient, ns: string, name: string): Promise<KubeObjectLike | undefined> => (await kube.get("v1", "Secret", ns, name)) as KubeObjectLike | undefined;
const gitRepoSpec = async (kube: KubeClient, ns: string, name: string): Promise<{ url?: string; secretRef?: { name?: string } }> => ((await kube.get(GIT_REPOSITORY_API_VERSION, "GitRepository", ns, name))?.["spec"] ?? {}) as { url?: string; secretRef?: { name?: string } };

/** Files under dir holding needle (the cache must keep no plaintext copy). */
function filesHolding(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).filter((p) => readFileSync(p).includes(needle));
}

async function served(t: Parameters<typeof testSetup>[0], work: string, repos: Record<string, Awaited<ReturnType<typeof createRepo>>>): Promise<Awaited<ReturnType<typeof startCmdlineWatchProxy>>> {
  const root = join(work, "srv");
  mkdirSync(root, { recursive: true });
  for (const [name, repo] of Object.entries(repos)) await repo.publish(root, name);
  const server = await startGitHttpServer({ root, username: USER, password: PASSWORD });
  t.after(() => server.stop());
  const proxy = await startCmdlineWatchProxy(server.url, [PASSWORD, encodeURIComponent(PASSWORD)]);
  t.after(() => proxy.stop());
  return proxy;
}

test("plumb sync --source with user:password@: no git argv holds the password, spec.url holds none, Secret flux-system does, and later syncs work", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "urlcred");
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("remote", ns, { via: "http" }) });
  t.after(() => repo.remove());
  const proxy = await served(t, work, { "fleet.git": repo });
  const cache = join(work, "cache");
  const plainUrl = `${proxy.url}/fleet.git`;

  const first = await plumbEnv({}, "sync", "--source", withUserinfo(proxy.url, "/fleet.git"), "--path", "clusters/c", "--namespace", ns, "--cache-dir", cache);
  assert.equal(first.code, 0, first.err + first.out);
  assert.ok(proxy.requests > 0 && proxy.gitSeen.length > 0, "the command lines were scanned while git ran");
  assert.deepEqual(proxy.leaks, [], "no process's command line held the password");
  assert.match(first.err, new RegExp(`note: the username and password in --source moved into Secret ${ns}/flux-system`));
  assert.ok(!(first.out + first.err).includes(PASSWORD) && !(first.out + first.err).includes(encodeURIComponent(PASSWORD)), "the output never shows the password");
  const spec = await gitRepoSpec(kube, ns, "flux-system");
  assert.equal(spec.url, plainUrl, "spec.url holds no user-info");
  assert.equal(spec.secretRef?.name, "flux-system");
  const creds = await secret(kube, ns, "flux-system");
  assert.equal(decoded(creds, "username"), USER);
  assert.equal(decoded(creds, "password"), PASSWORD);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "remote"))?.["data"] as Record<string, string>)["via"], "http");
  assert.deepEqual(filesHolding(cache, PASSWORD), [], "no plaintext copy in the cache");

  await repo.commit({ "apps/cm.yaml": configMapYaml("remote", ns, { via: "http-2" }) });
  await repo.publish(join(work, "srv"), "fleet.git");
  const again = await plumbEnv({}, "sync", "--source", withUserinfo(proxy.url, "/fleet.git"), "--path", "clusters/c", "--namespace", ns, "--cache-dir", cache);
  assert.equal(again.code, 0, again.err + again.out);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "remote"))?.["data"] as Record<string, string>)["via"], "http-2");
  const bySecret = await plumbEnv({}, "sync", "--source", plainUrl, "--secret-ref", "flux-system", "--path", "clusters/c", "--namespace", ns, "--cache-dir", cache);
  assert.equal(bySecret.code, 0, bySecret.err + bySecret.out);
  assert.equal((await gitRepoSpec(kube, ns, "flux-system")).url, plainUrl);
  assert.deepEqual(proxy.leaks, []);

  const conflict = await plumbEnv({}, "sync", "--source", withUserinfo(proxy.url, "/fleet.git"), "--secret-ref", "other", "--path", "clusters/c", "--namespace", ns, "--cache-dir", cache);
  assert.equal(conflict.code, 2);
  assert.match(conflict.err, /--source holds credentials and --secret-ref/);
  assert.ok(!conflict.err.includes(PASSWORD));
});

test("a GitRepository from Git with credentials in spec.url: they move into a Secret of its own, spec.url is stored without them, the fetch works and no argv holds them", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "gitcred");
  const tenant = await createRepo({ "cm.yaml": configMapYaml("tenant-settings", ns, { team: "a" }) });
  t.after(() => tenant.remove());
  const proxy = await served(t, work, { "tenant.git": tenant });
  const source = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: tenant
  namespace: ${ns}
spec:
  interval: 1m
  url: ${withUserinfo(proxy.url, "/tenant.git")}
  ref:
    branch: main
`;
  const ks = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: tenant-apps
  namespace: ${ns}
spec:
  interval: 10m
  path: ./
  prune: true
  sourceRef:
    kind: GitRepository
    name: tenant
`;
  const fleet = await createRepo({ "clusters/c/tenant-source.yaml": source, "clusters/c/tenant-apps.yaml": ks });
  t.after(() => fleet.remove());
  const sync = (): Promise<CliRun> => plumbEnv({}, "sync", "--source", fleet.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(work, "cache"));

  const first = await sync();
  assert.equal(first.code, 0, first.err + first.out);
  assert.match(first.err, new RegExp(`GitRepository/${ns}/tenant: the credentials in spec\\.url moved into Secret ${ns}/tenant-url-credentials`));
  assert.ok(!(first.out + first.err).includes(PASSWORD));
  const spec = await gitRepoSpec(kube, ns, "tenant");
  assert.equal(spec.url, `${proxy.url}/tenant.git`);
  assert.equal(spec.secretRef?.name, "tenant-url-credentials");
  const creds = await secret(kube, ns, "tenant-url-credentials");
  assert.equal(decoded(creds, "username"), USER);
  assert.equal(decoded(creds, "password"), PASSWORD);
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "tenant-settings"))?.["data"] as Record<string, string>)["team"], "a");
  assert.ok(proxy.gitSeen.length > 0);
  assert.deepEqual(proxy.leaks, []);

  const second = await sync();
  assert.equal(second.code, 0, second.err + second.out);
  assert.match(second.out, /tenant-apps/);

  // the GitRepository leaves Git: its Secret is pruned with it
  await fleet.commit({ "clusters/c/tenant-source.yaml": null, "clusters/c/tenant-apps.yaml": null, "clusters/c/keep.yaml": configMapYaml("keep", ns, { a: "1" }) });
  const third = await sync();
  assert.equal(third.code, 0, third.err + third.out);
  assert.equal(await secret(kube, ns, "tenant-url-credentials"), undefined);
});

test("plumb build and plumb diff honour --username/--password-env (and credentials in --source) against a basic-auth remote", async (t) => {
  const { ns, dir: work } = await testSetup(t, "buildauth");
  const repo = await createRepo({ "clusters/c/cm.yaml": configMapYaml("from-remote", ns, { a: "1" }) });
  t.after(() => repo.remove());
  const proxy = await served(t, work, { "fleet.git": repo });
  const url = `${proxy.url}/fleet.git`;
  const common = ["--path", "clusters/c", "--namespace", ns, "--cache-dir", join(work, "cache")];
  const env = { FLEET_PASSWORD: PASSWORD };

  const refused = await plumbEnv({}, "build", "--source", url, ...common);
  assert.equal(refused.code, 2, refused.err);
  assert.match(refused.err, /authentication/i);
  const built = await plumbEnv(env, "build", "--source", url, "--username", USER, "--password-env", "FLEET_PASSWORD", ...common);
  assert.equal(built.code, 0, built.err);
  assert.match(built.out, /name: from-remote/);
  const builtFromUrl = await plumbEnv({}, "build", "--source", withUserinfo(proxy.url, "/fleet.git"), ...common);
  assert.equal(builtFromUrl.code, 0, builtFromUrl.err);
  assert.match(builtFromUrl.out, /name: from-remote/);

  const diffRefused = await plumbEnv({}, "diff", "--source", url, ...common);
  assert.equal(diffRefused.code, 2, diffRefused.err);
  const diff = await plumbEnv(env, "diff", "--source", url, "--username", USER, "--password-env", "FLEET_PASSWORD", ...common);
  assert.equal(diff.code, 1, diff.err + diff.out);
  assert.match(diff.out, /\+ ConfigMap\/.*from-remote.*\(created\)/);
  const unset = await plumbEnv({}, "diff", "--source", url, "--username", USER, "--password-env", "FLEET_PASSWORD_UNSET", ...common);
  assert.equal(unset.code, 2);
  assert.match(unset.err, /--password-env FLEET_PASSWORD_UNSET: environment variable not set/);
  for (const r of [refused, built, builtFromUrl, diffRefused, diff]) assert.ok(!(r.out + r.err).includes(PASSWORD));
  assert.deepEqual(proxy.leaks, []);
});
