/** Test helpers for the shared control plane: a client, a fresh namespace per test, waits through watches. */
import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { KubeClient } from "../../src/kube/client.ts";
import { waitForObject } from "../../src/kube/wait.ts";

export function testKubeconfig(): string {
  const path = process.env["PLUMBLINE_TEST_KUBECONFIG"];
  if (!path) throw new Error("PLUMBLINE_TEST_KUBECONFIG is not set: run integration tests through `npm test` (scripts/run-tests.ts), which starts a local control plane");
  return path;
}

export function testKube(): KubeClient {
  return KubeClient.fromKubeconfig(testKubeconfig());
}

/** Creates a namespace unique to this test and deletes it (without waiting) when the test ends. */
export async function freshNamespace(kube: KubeClient, t: TestContext | { after: (fn: () => Promise<void>) => void }, prefix = "t"): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await kube.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  t.after(async () => {
    await kube.delete("v1", "Namespace", undefined, name).catch(() => undefined);
  });
  return name;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export { waitForObject };
