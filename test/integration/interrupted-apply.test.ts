/**
 * An apply interrupted at any point leaves no orphan: the objects a stage is about to write are recorded in the
 * Kustomization's status.inventory before the first of them is written, so a `plumb sync` killed (SIGKILL) or
 * stopped (SIGTERM) in the middle of a large first apply, then run again on a commit that removed some objects,
 * prunes them. SIGTERM is graceful: no write starts after it, the status (inventory included) is written, temp
 * directories are removed and the exit code is 143.
 *
 * The kill happens once N objects exist, awaited through a watch (no sleeps).
 */
import { PRIVATE_TMPDIR } from "../support/private-tmpdir.ts"; // first: TMPDIR for everything below
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { test, type TestContext } from "node:test";
import { applyObjects } from "../../src/apply/applier.ts";
import { LiveCache } from "../../src/apply/live-cache.ts";
import { ApplyError } from "../../src/core/errors.ts";
import { KUSTOMIZATION_API_VERSION, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL } from "../../src/core/flux-api.ts";
import type { InventoryItem } from "../../src/core/inventory.ts";
import type { KubeObject } from "../../src/core/object-ref.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { testKubeconfig, testSetup } from "../support/cluster.ts";
import { kustomizationYaml } from "../support/engine.ts";
import { createRepo, type FileMap } from "../support/git-repo.ts";

const COUNT = 200;
const PLUMB = resolve(import.meta.dirname, "../../bin/plumb.js");

const cmName = (i: number): string => `settings-${String(i).padStart(3, "0")}`;

/** A ConfigMap file as a team writes it. */
function configMapFile(ns: string, i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${cmName(i)}
  namespace: ${ns}
  labels:
    app.kubernetes.io/part-of: shop
data:
  LOG_LEVEL: info
  CACHE_SIZE: 512Mi
  SHARD: "${i}"
`;
}

function repoFiles(ns: string, indexes: readonly number[]): FileMap {
  const files: FileMap = { "clusters/prod/shop.yaml": kustomizationYaml("shop", ns, "./apps/shop") };
  for (const i of indexes) files[`apps/shop/${cmName(i)}.yaml`] = configMapFile(ns, i);
  return files;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function ownedSelector(ns: string): string {
  return `${OWNER_NAME_LABEL}=shop,${OWNER_NAMESPACE_LABEL}=${ns}`;
}

async function ownedNames(kube: KubeClient, ns: string): Promise<string[]> {
  const list = await kube.list("v1", "ConfigMap", { namespace: ns, labelSelector: ownedSelector(ns) });
  return list.items.map((o) => o.metadata.name ?? "").sort();
}

/** Resolves once at least `n` of our ConfigMaps exist in `ns` (a list, then a watch from its resourceVersion). */
async function untilOwned(kube: KubeClient, ns: string, n: number, exited: Promise<unknown>): Promise<void> {
  const ctrl = new AbortController();
  const list = await kube.list("v1", "ConfigMap", { namespace: ns, labelSelector: ownedSelector(ns) });
  const seen = new Set(list.items.map((o) => o.metadata.name));
  if (seen.size >= n) return;
  let reached = false;
  const watching = kube.watch("v1", "ConfigMap", { namespace: ns, labelSelector: ownedSelector(ns), resourceVersion: list.resourceVersion, signal: ctrl.signal, timeoutSeconds: 120 }, (e) => {
    if (e.type !== "ADDED") return;
    seen.add(e.object.metadata.name);
    if (seen.size >= n) {
      reached = true;
      ctrl.abort();
    }
  }).catch((err: unknown) => {
    if (!ctrl.signal.aborted) throw err;
  });
  await Promise.race([watching, exited.then(() => ctrl.abort())]);
  await watching;
  assert.ok(reached, `plumb exited (or the watch ended) before ${n} ConfigMaps existed; ${seen.size} did`);
}

interface Child {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

function startSync(repoDir: string, ns: string, work: string, tmp: string): Child {
  const child = spawn(process.execPath, [PLUMB, "sync", "--source", repoDir, "--path", "clusters/prod", "--namespace", ns, "--cache-dir", join(work, "cache"), "-o", "json"], {
    env: { ...process.env, KUBECONFIG: testKubeconfig(), TMPDIR: tmp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((res) => child.on("close", (code, signal) => res({ code, signal, out, err })));
  return { pid: child.pid as number, exited };
}

async function inventoryIds(kube: KubeClient, ns: string, name: string): Promise<string[]> {
  const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, name);
  return (((ks?.["status"] as { inventory?: { entries: { id: string }[] } } | undefined)?.inventory?.entries) ?? []).map((e) => e.id).sort();
}

/**
 * Kills a first apply of COUNT ConfigMaps once `killAt` exist, commits a revision without the first `removed`
 * (some created before the kill, some not), syncs again and checks that what carries our labels is what Git holds.
 */
async function killThenConverge(t: TestContext, how: "SIGKILL" | "SIGTERM", killAt: number, removed: number): Promise<{ before: string[]; first: Awaited<Child["exited"]>; ns: string; kube: KubeClient; tmp: string }> {
  const { kube, ns, dir: work } = await testSetup(t, `int-${how.toLowerCase()}`);
  const repo = await createRepo(repoFiles(ns, range(COUNT)));
  t.after(() => repo.remove());
  const tmp = mkdtempSync(join(PRIVATE_TMPDIR, "child-"));

  const child = startSync(repo.dir, ns, work, tmp);
  await untilOwned(kube, ns, killAt, child.exited);
  const killedAt = Date.now();
  process.kill(child.pid, how);
  const first = await child.exited;
  const exitMs = Date.now() - killedAt;
  const before = await ownedNames(kube, ns);
  t.diagnostic(`${how} once ${killAt} existed: ${before.length} of ${COUNT} exist afterwards; exited ${exitMs} ms after the signal`);
  assert.ok(before.length >= killAt && before.length < COUNT, `killed mid-apply: ${before.length} of ${COUNT} exist`);

  await repo.commit(Object.fromEntries(range(removed).map((i) => [`apps/shop/${cmName(i)}.yaml`, null])));
  const again = startSync(repo.dir, ns, work, tmp);
  const second = await again.exited;
  assert.equal(second.code, 0, second.err);
  const inGit = range(COUNT).slice(removed).map(cmName).sort();
  assert.deepEqual(await ownedNames(kube, ns), inGit, "every ConfigMap carrying our labels is in Git; the removed ones are gone, those created before the kill included");
  assert.deepEqual(await inventoryIds(kube, ns, "shop"), inGit.map((n) => `${ns}_${n}__ConfigMap`).sort());
  return { before, first, ns, kube, tmp };
}

test("plumb sync SIGKILLed early in a first apply of 200 ConfigMaps, then run on a commit that removed some: no orphan", async (t) => {
  const { first } = await killThenConverge(t, "SIGKILL", 1, 120);
  assert.equal(first.signal, "SIGKILL");
});

test("plumb sync SIGKILLed in the middle of a first apply of 200 ConfigMaps, then run on a commit that removed some: no orphan", async (t) => {
  const { first, before, ns, kube } = await killThenConverge(t, "SIGKILL", 60, 100);
  assert.equal(first.signal, "SIGKILL");
  assert.ok(before.some((n) => n < cmName(100)), "some of the removed objects existed before the kill");
  assert.ok(await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "shop"));
});

test("plumb sync SIGTERMed mid-apply: no write starts after it, status and inventory are written, temp dirs removed, exit 143; the next run converges", async (t) => {
  const { first, before, tmp } = await killThenConverge(t, "SIGTERM", 40, 150);
  assert.equal(first.code, 143, first.err);
  assert.match(first.err, /SIGTERM: no new writes/);
  const report = JSON.parse(first.out) as { kustomizations: { name: string; ready: boolean; message: string }[] };
  const shop = report.kustomizations.find((k) => k.name === "shop");
  assert.equal(shop?.ready, false);
  assert.match(shop?.message ?? "", /interrupted by SIGTERM during the resources stage: \d+ objects written, \d+ not started/);
  const written = Number(/(\d+) objects written/.exec(shop?.message ?? "")?.[1]);
  assert.equal(written, before.length, "the objects the report says were written are those that exist");
  assert.ok(readdirSync(tmp).every((e) => !e.startsWith("plumbline-")), `temp dirs left: ${readdirSync(tmp).join(", ")}`);
});

test("plumb sync SIGTERMed mid-apply records exactly what was written in status.inventory", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "int-term-inv");
  const repo = await createRepo(repoFiles(ns, range(COUNT)));
  t.after(() => repo.remove());
  const tmp = mkdtempSync(join(PRIVATE_TMPDIR, "child-"));
  const child = startSync(repo.dir, ns, work, tmp);
  await untilOwned(kube, ns, 80, child.exited);
  process.kill(child.pid, "SIGTERM");
  const done = await child.exited;
  assert.equal(done.code, 143, done.err);
  const existing = await ownedNames(kube, ns);
  assert.ok(existing.length < COUNT, `stopped starting writes: ${existing.length} of ${COUNT} exist`);
  const ks = await kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, "shop");
  const ready = ((ks?.["status"] as { conditions?: { type: string; status: string; message: string }[] })?.conditions ?? []).find((c) => c.type === "Ready");
  assert.equal(ready?.status, "False");
  assert.match(ready?.message ?? "", /interrupted by SIGTERM/);
  assert.deepEqual(await inventoryIds(kube, ns, "shop"), existing.map((n) => `${ns}_${n}__ConfigMap`).sort(), "the final status holds what exists, not what was announced");
});

function configMap(ns: string, i: number): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: cmName(i), namespace: ns, labels: { [OWNER_NAME_LABEL]: "shop", [OWNER_NAMESPACE_LABEL]: ns } }, data: { SHARD: String(i) } };
}

test("applyObjects: a stage's objects are recorded before any of them is written, and none starts after the signal", async (t) => {
  const { kube, ns } = await testSetup(t, "int-apply");
  const objects = range(60).map((i) => configMap(ns, i));
  const recordedWhen: { items: readonly InventoryItem[]; existing: number }[] = [];
  const ctrl = new AbortController();
  let created = 0;
  const concurrency = 4;
  // the signal comes as the 10th create is answered (the client observed, the server real)
  const apply = kube.apply.bind(kube);
  kube.apply = async (obj, opts) => {
    const res = await apply(obj, opts);
    if (!opts.dryRun && ++created === 10) ctrl.abort(new Error("interrupted by SIGTERM"));
    return res;
  };
  t.after(() => {
    kube.apply = apply;
  });
  const err = await applyObjects(objects, {
    kube, owner: { name: "shop", namespace: ns }, force: false, cache: new LiveCache(), concurrency, signal: ctrl.signal,
    events: () => {},
    record: async (items) => {
      recordedWhen.push({ items, existing: (await ownedNames(kube, ns)).length });
    },
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApplyError, String(err));
  assert.match(err.message, /interrupted by SIGTERM during the resources stage: \d+ objects written, \d+ not started/);
  assert.equal(recordedWhen.length, 1);
  assert.equal(recordedWhen[0]?.existing, 0, "recorded before the first write");
  assert.deepEqual(recordedWhen[0]?.items.map((i) => i.ref.name).sort(), objects.map((o) => o.metadata.name).sort());
  const existing = await ownedNames(kube, ns);
  assert.ok(existing.length >= 10 && existing.length < 10 + concurrency, `only the writes in flight completed after the signal: ${existing.length}`);
  assert.deepEqual(err.written.map((w) => w.ref.name).sort(), existing, "the error carries what was written");

  // a recording that fails writes nothing of the stage
  const more = range(5).map((i) => configMap(ns, 100 + i));
  const refused = await applyObjects(more, {
    kube, owner: { name: "shop", namespace: ns }, force: false, cache: new LiveCache(), events: () => {},
    record: () => Promise.reject(new Error("status subresource unavailable")),
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof ApplyError);
  assert.match(refused.message, /could not be recorded in status.inventory, so nothing of the stage was written: status subresource unavailable/);
  assert.deepEqual(await ownedNames(kube, ns), existing);
});

test("plumb sync --watch: SIGINT ends the watch with exit 130, temp dirs removed", async (t) => {
  const { kube, ns, dir: work } = await testSetup(t, "int-watch");
  const repo = await createRepo(repoFiles(ns, range(3)));
  t.after(() => repo.remove());
  const tmp = mkdtempSync(join(PRIVATE_TMPDIR, "child-"));
  const child = spawn(process.execPath, [PLUMB, "sync", "--watch", "--source", repo.dir, "--path", "clusters/prod", "--namespace", ns, "--cache-dir", join(work, "cache")], {
    env: { ...process.env, KUBECONFIG: testKubeconfig(), TMPDIR: tmp },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  const watching = new Promise<void>((res) => child.stderr.on("data", (c: Buffer) => {
    err += c.toString("utf8");
    if (err.includes("watching (")) res();
  }));
  const exited = new Promise<{ code: number | null }>((res) => child.on("close", (code) => res({ code })));
  await Promise.race([watching, exited]);
  assert.match(err, /watching \(/, err);
  assert.deepEqual(await ownedNames(kube, ns), range(3).map(cmName));
  child.kill("SIGINT");
  const done = await exited;
  assert.equal(done.code, 130, err);
  assert.ok(readdirSync(tmp).every((e) => !e.startsWith("plumbline-")), `temp dirs left: ${readdirSync(tmp).join(", ")}`);
});
