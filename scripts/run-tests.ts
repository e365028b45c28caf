/**
 * Runs every test file (unit, the benchmark's pure logic, integration) in one `node --test` run against one shared control plane.
 * PLUMBLINE_KUBERNETES=1.37|1.20 picks the plane's Kubernetes line (default: the current one).
 * With PLUMBLINE_TEST_KUBECONFIG set, integration tests run against that cluster instead (kind, k3d, ...).
 * The plane is owned by this process: if it dies, a watchdog stops the plane and removes its data.
 * Tests read the server's version from PLUMBLINE_TEST_KUBERNETES (e.g. 1.37.2), to skip what only holds on another line.
 */
import { spawn } from "node:child_process";
import { globSync } from "node:fs";
import { KubeClient } from "../src/kube/client.ts";
import { parseKubeLine, pathWithBundledKubectl } from "../src/local-cluster/binaries.ts";
import { downLocalCluster, upLocalCluster } from "../src/local-cluster/index.ts";

const patterns = process.argv.slice(2).length ? process.argv.slice(2) : ["test/unit/**/*.test.ts", "bench/test/**/*.test.ts", "test/integration/**/*.test.ts"];
const files = patterns.flatMap((p) => globSync(p)).sort();
const needsCluster = files.some((f) => f.includes("integration"));
// tests run the kubectl built with the current plane (scripts/build-kube.sh), not whatever one the machine ships
const env: NodeJS.ProcessEnv = { ...process.env, PATH: pathWithBundledKubectl(process.env) };
let clusterName: string | undefined;

if (needsCluster && !env["PLUMBLINE_TEST_KUBECONFIG"]) {
  clusterName = `test-${process.pid}`;
  const kubernetes = parseKubeLine(env["PLUMBLINE_KUBERNETES"]);
  const c = await upLocalCluster({ name: clusterName, kubernetes, ownerPid: process.pid, log: (l) => console.log(l) });
  env["PLUMBLINE_TEST_KUBECONFIG"] = c.state.kubeconfig;
  env["PLUMBLINE_TEST_KUBERNETES"] = c.state.version;
} else if (needsCluster && !env["PLUMBLINE_TEST_KUBERNETES"]) {
  // someone else's cluster: ask it
  const kube = KubeClient.fromKubeconfig(env["PLUMBLINE_TEST_KUBECONFIG"]);
  try {
    const res = await kube.http.request("GET", "/version");
    env["PLUMBLINE_TEST_KUBERNETES"] = String((res.body as { gitVersion?: string }).gitVersion ?? "").replace(/^v/, "");
  } finally {
    kube.close();
  }
}

const stop = async (): Promise<void> => {
  if (clusterName) await downLocalCluster(clusterName);
  clusterName = undefined;
};
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => void stop().finally(() => process.exit(130)));
}

const child = spawn(process.execPath, ["--test", `--test-concurrency=${env["PLUMBLINE_TEST_CONCURRENCY"] ?? "3"}`, "--test-timeout=300000", ...files], { stdio: "inherit", env });
const code: number = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
await stop();
process.exit(code);
