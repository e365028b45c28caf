import assert from "node:assert/strict";
import { test } from "node:test";
import { selectProcesses } from "../../../src/local-cluster/component.ts";
import type { ClusterState, ProcessRecord } from "../../../src/local-cluster/state.ts";

const proc = (name: string, component?: ProcessRecord["component"]): ProcessRecord => ({ name, pid: 1, log: `/l/${name}.log`, ...(component ? { component } : {}) });
const state: ClusterState = {
  name: "p", dir: "/d", kubeconfig: "/d/kubeconfig", server: "https://127.0.0.1:1", startedAt: "", version: "1.37.2",
  processes: [proc("etcd", "etcd"), proc("kube-apiserver", "kube-apiserver"), proc("node-1", "kubelet"), proc("node-2", "kubelet"), proc("kube-scheduler")],
};

test("a component name selects its processes: kubelet is every hollow node, node-N one of them", () => {
  assert.deepEqual(selectProcesses(state, "kubelet").map((p) => p.name), ["node-1", "node-2"]);
  assert.deepEqual(selectProcesses(state, "node-2").map((p) => p.name), ["node-2"]);
  assert.deepEqual(selectProcesses(state, "etcd").map((p) => p.name), ["etcd"]);
});

test("a record from before components were recorded is matched by its name", () => {
  assert.deepEqual(selectProcesses(state, "kube-scheduler").map((p) => p.name), ["kube-scheduler"]);
});

test("an unknown component is refused, naming the components and nodes there are", () => {
  assert.throws(() => selectProcesses(state, "kube-proxy"), /no component "kube-proxy"; one of: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, node-1, node-2/);
});
