import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { plumb, type CliRun } from "../support/cli.ts";
import { createRepo } from "../support/git-repo.ts";
import { testSetup } from "../support/cluster.ts";
import { configMapYaml, kustomizationYaml } from "../support/engine.ts";

interface SyncJson {
  kustomizations: { name: string; namespace: string; revision: string; ready: boolean; reason: string; changes: Record<string, number>; durationMs: number }[];
  writes: number;
}

test("plumb sync -o json: the documented shape, the age key stored as Secret sops-age, a second run writes nothing, a failure exits 1", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "cli");
  const keyFile = join(work, "age.agekey");
  execFileSync("age-keygen", ["-o", keyFile], { stdio: "ignore" });
  const repo = await createRepo({ "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"), "apps/cm.yaml": configMapYaml("settings", ns, { a: "1" }) });
  t.after(() => repo.remove());
  const sync = (): Promise<CliRun> =>
    plumb("sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(work, "cache"), "--age-key-file", keyFile, "-o", "json");

  const first = await sync();
  assert.equal(first.code, 0, first.err);
  const r1 = JSON.parse(first.out) as SyncJson;
  assert.deepEqual(r1.kustomizations.map((k) => k.name).sort(), ["app", "flux-system"]);
  const app = r1.kustomizations.find((k) => k.name === "app");
  assert.ok(app);
  for (const key of ["name", "namespace", "revision", "ready", "reason", "changes", "durationMs"]) assert.ok(key in app, key);
  assert.deepEqual(app.changes, { created: 1, configured: 0, unchanged: 0, deleted: 0, skipped: 0 });
  assert.ok(r1.writes > 0);
  const secret = await kube.get("v1", "Secret", ns, "sops-age");
  assert.match(Buffer.from(((secret?.["data"] ?? {}) as Record<string, string>)["age.agekey"] ?? "", "base64").toString("utf8"), /^AGE-SECRET-KEY-1/m);
  assert.doesNotMatch(first.out + first.err, /AGE-SECRET-KEY-1/, "the key never reaches the output");

  const second = await sync();
  assert.equal(second.code, 0, second.err);
  assert.equal((JSON.parse(second.out) as SyncJson).writes, 0);

  await repo.commit({ "apps/cm.yaml": "kind: ConfigMap\nmetadata:\n  name: no-api-version\n" });
  const failed = await sync();
  assert.equal(failed.code, 1);
  const r3 = JSON.parse(failed.out) as SyncJson;
  const broken = r3.kustomizations.find((k) => k.name === "app");
  assert.equal(broken?.ready, false);
  assert.equal(broken?.reason, "BuildFailed");
});
