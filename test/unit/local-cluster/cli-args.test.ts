import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLocalArgs } from "../../../src/cli/commands/local.ts";
import { DEFAULT_KUBE_LINE } from "../../../src/local-cluster/binaries.ts";

test("plumb local up takes --name, --nodes and --kubernetes as `--flag value` or `--flag=value`", () => {
  assert.deepEqual(parseLocalArgs(["up", "--name", "a", "--kubernetes", "1.20", "--nodes=2"]), { sub: "up", name: "a", nodes: 2, kubernetes: "1.20", component: undefined });
  assert.deepEqual(parseLocalArgs(["up"]), { sub: "up", name: "default", nodes: 1, kubernetes: DEFAULT_KUBE_LINE, component: undefined });
});

test("component verbs take exactly one component", () => {
  assert.equal(parseLocalArgs(["stop", "kube-apiserver", "--name=x"]).component, "kube-apiserver");
  assert.equal(parseLocalArgs(["pause", "--name", "x", "etcd"]).component, "etcd");
  assert.throws(() => parseLocalArgs(["restart", "--name", "x"]), /takes one component/);
  assert.throws(() => parseLocalArgs(["start", "etcd", "kubelet"]), /takes one component/);
});

test("bad values are refused with the reason", () => {
  assert.throws(() => parseLocalArgs(["up", "--nodes", "0"]), /--nodes must be/);
  assert.throws(() => parseLocalArgs(["up", "--nodes", "two"]), /--nodes must be/);
  assert.throws(() => parseLocalArgs(["up", "--name", "../etc"]), /--name/);
  assert.throws(() => parseLocalArgs(["up", "--name"]), /--name needs a value/);
  assert.throws(() => parseLocalArgs(["up", "--kubernetes", "1.25"]), /unsupported Kubernetes version/);
  assert.throws(() => parseLocalArgs(["up", "--force"]), /unknown flag --force/);
  assert.throws(() => parseLocalArgs(["down", "extra"]), /unexpected argument/);
});
