import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_KUBE_LINE, KUBE_RELEASES, parseKubeLine } from "../../../src/local-cluster/binaries.ts";

const ROOT = join(import.meta.dirname, "../../..");
const goMod = (dir: string): string => readFileSync(join(ROOT, "tools", dir, "go.mod"), "utf8");
const required = (mod: string, path: string): string | undefined =>
  new RegExp(`^\\s*${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} (v[^\\s]+)`, "m").exec(mod)?.[1];

test("KUBE_RELEASES.current is the k8s.io/kubernetes release tools/kube/go.mod builds", () => {
  assert.equal(required(goMod("kube"), "k8s.io/kubernetes"), `v${KUBE_RELEASES.current.version}`);
});

test("tools/kube/go.mod requires every k8s.io staging module at the v0.x release matching k8s.io/kubernetes", () => {
  const mod = goMod("kube");
  const [, minor, patch] = KUBE_RELEASES.current.version.split(".");
  const staging = ["api", "apimachinery", "apiserver", "client-go", "component-base", "controller-manager", "kubelet", "kube-scheduler", "kube-controller-manager", "cri-api", "cri-client"];
  for (const m of staging) assert.equal(required(mod, `k8s.io/${m}`), `v0.${minor}.${patch}`, `k8s.io/${m}`);
  const mismatched = [...mod.matchAll(/^\s*(k8s\.io\/[a-z-]+) (v0\.\d+\.\d+)(?=\s)/gm)].filter(([, , v]) => v !== `v0.${minor}.${patch}`);
  assert.deepEqual(mismatched.map(([, p, v]) => `${p} ${v}`), [], "k8s.io modules at a v0.x release other than the staging one");
});

test("tools/etcd builds an etcd of the 3.7 line, the one Kubernetes 1.37 pins", () => {
  const v = required(goMod("etcd"), "go.etcd.io/etcd/server/v3");
  assert.match(v ?? "", /^v3\.7\.\d+$/);
});

test("KUBE_RELEASES[1.20] is the release scripts/build-control-plane.sh builds from Debian", () => {
  const script = readFileSync(join(ROOT, "scripts/build-control-plane.sh"), "utf8");
  assert.equal(/^VERSION=(\S+)$/m.exec(script)?.[1], KUBE_RELEASES["1.20"].version);
});

test("parseKubeLine: a minor, a full release or `current` picks a line; nothing picks the default; others are refused", () => {
  assert.equal(parseKubeLine(undefined), DEFAULT_KUBE_LINE);
  assert.equal(parseKubeLine(""), DEFAULT_KUBE_LINE);
  const currentMinor = KUBE_RELEASES.current.version.split(".").slice(0, 2).join(".");
  assert.equal(parseKubeLine(currentMinor), "current");
  assert.equal(parseKubeLine(`v${KUBE_RELEASES.current.version}`), "current");
  assert.equal(parseKubeLine("current"), "current");
  assert.equal(parseKubeLine("1.20"), "1.20");
  assert.equal(parseKubeLine("1.20.2"), "1.20");
  assert.throws(() => parseKubeLine("1.29"), /unsupported Kubernetes version "1\.29": one of .*1\.20/);
  assert.throws(() => parseKubeLine("1.2"), /unsupported/);
});
