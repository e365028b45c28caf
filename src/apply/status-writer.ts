/** Writes status subresources and Kubernetes Events. Part of the one module that writes to the cluster. */
import type { KubeClient } from "../kube/client.ts";
import { KubeApiError } from "../kube/http.ts";
import { randomBytes } from "node:crypto";
import type { KubeObject } from "../core/object-ref.ts";

export async function patchStatus(kube: KubeClient, obj: { apiVersion: string; kind: string; namespace: string; name: string }, status: Record<string, unknown>): Promise<void> {
  try {
    await kube.patch(obj.apiVersion, obj.kind, obj.namespace, obj.name, { status }, "application/merge-patch+json", "status");
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return; // object deleted meanwhile
    throw err;
  }
}

/** Records a core/v1 Event on an object. The message must already be free of secret values. */
export async function recordEvent(kube: KubeClient, involved: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
  const ns = involved.metadata.namespace ?? "default";
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await kube.create({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${involved.metadata.name}.${randomBytes(6).toString("hex")}`, namespace: ns },
    involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.metadata.name, namespace: ns, uid: involved.metadata.uid, resourceVersion: involved.metadata.resourceVersion },
    reason,
    message: message.length > 1000 ? message.slice(0, 997) + "..." : message,
    type,
    source: { component: "plumbline" },
    reportingComponent: "plumbline",
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  }).catch(() => undefined);
}
