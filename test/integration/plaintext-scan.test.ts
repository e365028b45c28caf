/**
 * No plaintext secret anywhere but in the cluster's Secrets: a repository with a SOPS-encrypted Secret and a
 * secretGenerator over an encrypted env file, fetched from an HTTP remote through a basic-auth URL
 * (`http://git:<password>@127.0.0.1/...`), synced, diffed and watched (then SIGTERMed) by the real CLI.
 * Scanned: the runs' stdout/stderr, Kubernetes Events, the Kustomizations and GitRepositories (status and spec),
 * the runs' temp directory (os.tmpdir()), /dev/shm, PLUMBLINE_CACHE and the engine cache, and the command line
 * of every process on the machine, sampled while each run was in progress. The plumb command line itself is left
 * out of that scan (in the plumb process and in its children between fork and exec): the URL with its password
 * is what the user typed there.
 *
 * Values are random per run and never printed; findings name only where.
 */
import { PRIVATE_TMPDIR } from "../support/private-tmpdir.ts"; // first: TMPDIR for this process and the CLI runs
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { promisify } from "node:util";
import { GIT_REPOSITORY_API_VERSION, KUSTOMIZATION_API_VERSION } from "../../src/core/flux-api.ts";
import { encryptFile } from "../../src/render/sops/index.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { kustomizationYaml } from "../support/engine.ts";
import { startGitHttpServer } from "../support/git-http-server.ts";
import { createRepo } from "../support/git-repo.ts";
import { leaksIn, needlesOf, sampleCommandLines, scanTree } from "./helpers/plaintext-scan.ts";
import { PLUMB_BIN, shown, startPlumb, type PlumbRun } from "./helpers/plumb-process.ts";

after(() => rmSync(PRIVATE_TMPDIR, { recursive: true, force: true }));

test("no plaintext secret value in output, Events, Flux objects, temp and cache directories, or any process's arguments", async (t) => {
  const { kube, ns } = await testSetup(t, "scan");
  // keys and the served repository live outside every scanned directory
  const outside = mkdtempSync(join(dirname(PRIVATE_TMPDIR), "plumbline-scan-outside-"));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const keyFile = join(outside, "age.agekey");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "ignore" });
  const identity = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(readFileSync(keyFile, "utf8"))?.[0] ?? "";
  const recipient = execFileSync("age-keygen", ["-y", keyFile], { encoding: "utf8" }).trim();
  assert.ok(identity && recipient);

  const hex = (): string => randomBytes(12).toString("hex");
  const v = { dbPassword: hex(), apiToken: hex(), envToken: hex(), gitPassword: hex() };
  const db = await encryptFile(`apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-credentials\ntype: Opaque\nstringData:\n  username: app\n  password: ${v.dbPassword}\n  api-token: ${v.apiToken}\n`, "yaml", { recipients: [recipient], encryptedRegex: "^(data|stringData)$" }, "db.sops.yaml");
  const env = await encryptFile(`TOKEN=${v.envToken}\nREGION=eu-west-1\n`, "dotenv", { recipients: [recipient] }, "app.sops.env");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps", "  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n"),
    "apps/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${ns}\nresources:\n  - db.sops.yaml\nsecretGenerator:\n  - name: app-env\n    envs:\n      - app.sops.env\n`,
    "apps/db.sops.yaml": db,
    "apps/app.sops.env": env,
  });
  t.after(() => repo.remove());
  const served = join(outside, "served");
  await repo.publish(served, "fleet.git");
  const server = await startGitHttpServer({ root: served, username: "git", password: v.gitPassword });
  t.after(() => server.stop());
  const url = server.url.replace("http://", `http://git:${v.gitPassword}@`) + "/fleet.git";

  const cacheRoot = join(PRIVATE_TMPDIR, "plumbline-cache");
  const engineCache = join(PRIVATE_TMPDIR, "engine-cache");
  mkdirSync(cacheRoot, { recursive: true });
  const needles = needlesOf([v.dbPassword, v.apiToken, v.envToken, v.gitPassword, `git:${v.gitPassword}`, identity]);
  const runs: PlumbRun[] = [];
  const dirs = { "os.tmpdir() of the runs": PRIVATE_TMPDIR, "/dev/shm": "/dev/shm", PLUMBLINE_CACHE: cacheRoot, "engine cache (--cache-dir)": engineCache };
  let files = 0;
  const leakedFiles: string[] = [];
  /** Files holding a value right after a run ended (a later run's start-up sweep must not hide what one left). */
  const scanDirs = (after: string): void => {
    for (const [name, dir] of Object.entries(dirs)) {
      if (!existsSync(dir)) continue;
      const s = scanTree(dir, needles);
      files += s.files;
      leakedFiles.push(...s.leaked.map((p) => `after ${after}: ${name}: ${p}`));
    }
  };
  const cmdlineLeaks: string[] = [];
  let samples = 0;
  /** One CLI run with the command lines of all processes sampled meanwhile; `until` may end it early (SIGTERM). */
  const run = async (args: string[], until?: (out: string) => boolean): Promise<PlumbRun> => {
    const argv = [...args, "--cache-dir", engineCache];
    const sampler = sampleCommandLines(needles, [[process.execPath, PLUMB_BIN, ...argv]]);
    const p = startPlumb(argv, { kubeconfig: testKubeconfig(), env: { TMPDIR: PRIVATE_TMPDIR, PLUMBLINE_CACHE: cacheRoot }, timeoutMs: 120_000 });
    if (until) {
      const deadline = Date.now() + 60_000;
      while (!until(p.output().err) && p.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      p.child.kill("SIGTERM");
    }
    const r = await p.done;
    const s = sampler.stop();
    samples += s.samples;
    cmdlineLeaks.push(...s.leaked.map((l) => `${args[0]} run (plumb pid ${p.pid}): ${l}`));
    runs.push(r);
    scanDirs(`${args[0]} run ${runs.length}${until ? " (SIGTERMed)" : ""}`);
    return r;
  };

  const syncArgs = ["sync", "--source", url, "--path", "clusters/c", "--namespace", ns, "--age-key-file", keyFile, "-v"];
  const first = await run(syncArgs);
  assert.equal(first.code, 0, shown(first));
  // the values did reach the cluster (compared in memory only)
  const secret = await kube.get("v1", "Secret", ns, "db-credentials");
  const data = (secret?.["data"] ?? {}) as Record<string, string>;
  assert.ok(Buffer.from(data["password"] ?? "", "base64").toString("utf8") === v.dbPassword, "Secret db-credentials holds the decrypted password");
  const generated = (await kube.list("v1", "Secret", { namespace: ns })).items.find((s) => s.metadata.name?.startsWith("app-env-"));
  assert.ok(Buffer.from(((generated?.["data"] ?? {}) as Record<string, string>)["TOKEN"] ?? "", "base64").toString("utf8") === v.envToken, "the generated Secret holds the decrypted token");

  // a new encrypted value, shown by diff (masked) and applied by a watch that is then SIGTERMed
  const rotated = hex();
  needles.push(...needlesOf([rotated]));
  await repo.commit({ "apps/app.sops.env": await encryptFile(`TOKEN=${rotated}\nREGION=eu-west-1\n`, "dotenv", { recipients: [recipient] }, "app.sops.env") }, "rotate the token");
  await repo.publish(served, "fleet.git");
  // SIGTERM as soon as the source is fetched: the render (decrypting the env file) is under way
  const interrupted = await run(syncArgs, (err) => err.includes("fetched"));
  assert.ok(interrupted.code === 143 || interrupted.code === 0, `the sync shut down on SIGTERM (143), or had finished (0)\n${shown(interrupted)}`);
  const diff = await run(["diff", "--source", url, "--path", "clusters/c", "--namespace", ns]);
  assert.ok(diff.code === 1 || diff.code === 0, shown(diff));
  const watched = await run([...syncArgs, "--watch", "--interval", "1s"], (err) => err.includes("watching"));
  assert.ok(watched.code !== null, `the watch ended on SIGTERM by itself\n${shown(watched)}`);

  // the watch applied the rotated token before it was stopped
  const rotatedSecret = (await kube.list("v1", "Secret", { namespace: ns })).items.find((s) => s.metadata.name?.startsWith("app-env-") && Buffer.from(((s["data"] ?? {}) as Record<string, string>)["TOKEN"] ?? "", "base64").toString("utf8") === rotated);
  assert.ok(rotatedSecret, `the watch run applied the rotated token\n${shown(watched)}`);

  // the scanners find a planted canary: in a file, and in the arguments of a process living 200 ms
  const canary = hex();
  const canaryFile = join(engineCache, "canary.txt");
  writeFileSync(canaryFile, `x${canary}x`);
  assert.deepEqual(scanTree(engineCache, [canary]).leaked, ["canary.txt"]);
  rmSync(canaryFile);
  const canarySampler = sampleCommandLines([canary]);
  await promisify(execFile)("sh", ["-c", "sleep 0.2", canary]);
  assert.equal(canarySampler.stop().leaked.length, 1, "the command-line sampler sees a 200 ms process");

  const found: Record<string, number> = {};
  runs.forEach((r, i) => { found[`run ${i + 1} stdout/stderr`] = leaksIn(r.out + r.err, needles); });
  found["Kubernetes Events"] = leaksIn(JSON.stringify((await kube.list("v1", "Event", {})).items), needles);
  found["Kustomizations"] = leaksIn(JSON.stringify((await kube.list(KUSTOMIZATION_API_VERSION, "Kustomization", { namespace: ns })).items), needles);
  found["GitRepositories (spec.url, status)"] = leaksIn(JSON.stringify((await kube.list(GIT_REPOSITORY_API_VERSION, "GitRepository", { namespace: ns })).items), needles);
  assert.deepEqual(Object.entries(found).filter(([, n]) => n > 0).map(([where]) => where), [], "plaintext found in output or cluster objects");

  assert.ok(files > 0, "the scan read files (the engine cache holds the artifact)");
  assert.deepEqual(leakedFiles, [], "files holding a plaintext value");
  assert.ok(samples >= runs.length * 2, `process arguments were sampled during the runs (${samples})`);
  assert.deepEqual(cmdlineLeaks, [], "processes whose arguments held a plaintext value (the Git password in git's argv?)");
});
