/** Test helpers for the shared control plane: a client, a fresh namespace per test, waits through watches. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/** What most integration tests start with: a client closed at the end, a fresh namespace, a private temp dir. */
export async function testSetup(t: TestContext, prefix: string): Promise<{ kube: KubeClient; ns: string; dir: string }> {
  const kube = testKube();
  t.after(() => kube.close());
  const ns = await freshNamespace(kube, t, prefix);
  const dir = mkdtempSync(join(tmpdir(), `plumbline-${prefix}-test-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { kube, ns, dir };
}

export { waitForObject };
