import assert from "node:assert/strict";
import { test } from "node:test";
import { plumb, type CliRun } from "../support/cli.ts";
import { createRepo } from "../support/git-repo.ts";
import { testSetup } from "../support/cluster.ts";
import { configMapYaml, deploymentYaml, kustomizationYaml, syncOnce } from "../support/engine.ts";

test("plumb diff compares every Kustomization of the tree, field by field, with prunes, and exits 0 / 1 / 2", async (t) => {
  const { kube, ns, dir: cacheDir } = await testSetup(t, "diff");
  const repo = await createRepo({
    "clusters/c/app.yaml": kustomizationYaml("app", ns, "./apps"),
    "apps/settings.yaml": configMapYaml("settings", ns, { color: "blue" }),
    "apps/extra.yaml": configMapYaml("extra", ns, { a: "1" }),
    "apps/web.yaml": deploymentYaml("web", ns, 1),
  });
  t.after(() => repo.remove());
  const diff = (): Promise<CliRun> => plumb("diff", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", cacheDir);

  // nothing synced yet: everything would be created, in both Kustomizations
  const before = await diff();
  assert.equal(before.code, 1, before.err);
  assert.match(before.out, new RegExp(`Kustomization ${ns}/flux-system\\n(.*\\n)*  \\+ Kustomization/${ns}/app \\(created\\)`));
  assert.match(before.out, new RegExp(`Kustomization ${ns}/app\\n(.*\\n)*  \\+ ConfigMap/${ns}/settings \\(created\\)`));

  await syncOnce(kube, { url: repo.dir, path: "clusters/c", namespace: ns });
  const same = await diff();
  assert.equal(same.code, 0, same.out + same.err);
  assert.doesNotMatch(same.out, /\(created\)|\(configured\)|\(deleted\)/);

  // a commit that changes a field in the child and removes a file: the diff names both, the cluster is untouched
  await repo.commit({ "apps/settings.yaml": configMapYaml("settings", ns, { color: "green" }), "apps/extra.yaml": null });
  const changed = await diff();
  assert.equal(changed.code, 1, changed.err);
  assert.match(changed.out, new RegExp(`  ~ ConfigMap/${ns}/settings \\(configured\\)\\n      data.color: "?blue"? -> "?green"?`));
  assert.match(changed.out, new RegExp(`  - ConfigMap/${ns}/extra \\(deleted\\)`));
  assert.equal(((await kube.get("v1", "ConfigMap", ns, "settings"))?.["data"] as Record<string, string>)["color"], "blue");
  assert.ok(await kube.get("v1", "ConfigMap", ns, "extra"), "diff must not prune");

  // a render error is exit 2 and names the file
  await repo.commit({ "apps/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n" });
  const broken = await diff();
  assert.equal(broken.code, 2, broken.out);
  assert.match(broken.out, /broken\.yaml/);
});
