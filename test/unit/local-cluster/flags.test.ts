import assert from "node:assert/strict";
import { test } from "node:test";
import { apiserverArgs, controllerManagerArgs, flagValue, hollowNodeArgs, schedulerArgs, type PlaneLayout } from "../../../src/local-cluster/flags.ts";

const layout: PlaneLayout = { dir: "/tmp/p", etcdPort: 2001, peerPort: 2002, apiPort: 6443, controllerManagerPort: 10257, schedulerPort: 10259 };
const node = { name: "node-1", kubeletPort: 10250 };

test("1.20 turns its insecure ports off; the current line has none to turn off (the flags were removed in 1.24 and would fail the start)", () => {
  assert.ok(apiserverArgs("1.20", layout).includes("--insecure-port=0"));
  assert.ok(controllerManagerArgs("1.20", layout, undefined).includes("--port=0"));
  assert.ok(schedulerArgs("1.20", layout).includes("--port=0"));
  assert.ok(!apiserverArgs("current", layout).some((a) => a.startsWith("--insecure-port")));
  assert.ok(!controllerManagerArgs("current", layout, undefined).some((a) => a.startsWith("--port=")));
  assert.ok(!schedulerArgs("current", layout).some((a) => a.startsWith("--port=")));
});

test("controller-manager and scheduler serve health on their own loopback ports, on both lines", () => {
  for (const line of ["1.20", "current"] as const) {
    assert.equal(flagValue(controllerManagerArgs(line, layout, "/ca.crt"), "secure-port"), "10257");
    assert.equal(flagValue(controllerManagerArgs(line, layout, "/ca.crt"), "root-ca-file"), "/ca.crt");
    assert.equal(flagValue(schedulerArgs(line, layout), "secure-port"), "10259");
    assert.equal(flagValue(schedulerArgs(line, layout), "bind-address"), "127.0.0.1");
  }
  assert.equal(flagValue(controllerManagerArgs("current", layout, undefined), "root-ca-file"), undefined);
});

test("the current hollow node uses kubemark's fake image service instead of the host's containerd socket", () => {
  assert.equal(flagValue(hollowNodeArgs("current", layout, node), "use-host-image-service"), "false");
  assert.equal(flagValue(hollowNodeArgs("1.20", layout, node), "use-host-image-service"), undefined, "1.20's kubemark has no such flag");
  assert.equal(flagValue(hollowNodeArgs("current", layout, node), "name"), "node-1");
  assert.equal(flagValue(hollowNodeArgs("current", layout, node), "kubelet-port"), "10250");
});

test("the API server is reached only on loopback and etcd on the plane's own port", () => {
  const args = apiserverArgs("current", layout);
  assert.equal(flagValue(args, "bind-address"), "127.0.0.1");
  assert.equal(flagValue(args, "etcd-servers"), "http://127.0.0.1:2001");
  assert.equal(flagValue(args, "secure-port"), "6443");
});
