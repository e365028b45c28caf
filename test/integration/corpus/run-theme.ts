/** Runs one corpus theme as a test with a subtest per case (see corpus.ts for what each case asserts). */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { testKubeconfig, testSetup } from "../../support/cluster.ts";
import { createRepo } from "../../support/git-repo.ts";
import { assertUnchanged, managedSnapshot } from "../helpers/managed-objects.ts";
import { runPlumb, shown, type PlumbRun } from "../helpers/plumb-process.ts";
import type { CorpusCase, Theme } from "./corpus.ts";
import { TreeCommitter } from "./tree-commit.ts";

export async function runTheme(t: TestContext, theme: Theme): Promise<void> {
  const { kube, ns, dir } = await testSetup(t, theme.prefix);
  const spec = await theme.setup({ kube, ns, dir });
  const repo = await createRepo(spec.good, { message: "good" });
  t.after(() => repo.remove());
  const tree = new TreeCommitter(repo, spec.good);
  const sync = (): Promise<PlumbRun> =>
    runPlumb(["sync", "--source", repo.dir, "--path", "clusters/c", "--namespace", ns, "--cache-dir", join(dir, "cache"), ...(spec.syncArgs ?? [])], { kubeconfig: testKubeconfig(), env: spec.syncEnv ?? {} });

  const first = await sync();
  assert.equal(first.code, 0, `the good tree syncs\n${shown(first)}`);
  await spec.expect(kube, ns);

  const recover = async (c: CorpusCase): Promise<void> => {
    await tree.commit({}, {}, `fix: ${c.name}`);
    const fixed = await sync();
    assert.equal(fixed.code, 0, `${c.name}: the good commit after it syncs\n${shown(fixed)}`);
    await spec.expect(kube, ns);
  };

  for (const c of spec.cases) {
    await t.test(c.name, c.todo ? { todo: c.todo } : {}, async () => {
      const before = await managedSnapshot(kube, ns);
      let failure: unknown;
      try {
        await tree.commit(c.files ?? {}, c.links ?? {}, c.name);
        const bad = await sync();
        if (process.env["PLUMBLINE_CORPUS_SHOW"]) console.log(`## ${c.name}\n${shown(bad)}`);
        assert.ok(bad.code !== 0 && bad.code !== null, `${c.name}: plumb sync must fail\n${shown(bad)}`);
        assert.match(bad.out + bad.err, c.error, `${c.name}: the error must name the file or object\n${shown(bad)}`);
        assert.doesNotMatch(bad.out + bad.err, /✂ pruned/, `${c.name}: nothing may be pruned\n${shown(bad)}`);
        assertUnchanged(before, await managedSnapshot(kube, ns), c.name, c.mayChange);
      } catch (err) {
        failure = err;
      }
      // the good commit always follows, so the next case starts from a synced good tree
      try {
        await recover(c);
      } catch (err) {
        if (!failure) throw err;
        throw new Error(`${String(failure)}\n\nand the recovery failed too (later cases in this theme may fail for it): ${String(err)}`, { cause: failure });
      }
      if (failure) throw failure;
    });
  }
}
