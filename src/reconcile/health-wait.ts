/** Waits until objects are healthy (kstatus rules) using one list+watch per kind and namespace; no polling. */
import type { KubeClient } from "../kube/client.ts";
import { HealthError } from "../core/errors.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { computeHealth, describeUnhealthy, type HealthResult } from "../health/index.ts";

export interface HealthTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Last known state, if any (from the apply response). */
  object?: KubeObject;
}

export async function waitHealthy(kube: KubeClient, targets: readonly HealthTarget[], timeoutMs: number, onProgress?: (pending: string[]) => void): Promise<void> {
  // Objects are watched per (apiVersion, kind, namespace); within that group the name identifies one.
  const keyOf = (apiVersion: string, kind: string, namespace: string, name: string): string => `${apiVersion}|${kind}|${namespace}|${name}`;
  const state = new Map<string, { subject: string; result: HealthResult; target: HealthTarget }>();
  for (const t of targets) {
    const subject = t.namespace ? `${t.kind}/${t.namespace}/${t.name}` : `${t.kind}/${t.name}`;
    state.set(keyOf(t.apiVersion, t.kind, t.namespace, t.name), { subject, target: t, result: t.object ? computeHealth(t.object) : { status: "NotFound", message: `${subject}: not found` } });
  }
  const pending = (): string[] => [...state.values()].filter((s) => s.result.status !== "Current").map((s) => s.subject);
  const failed = (): boolean => [...state.values()].some((s) => s.result.status === "Failed");
  if (!pending().length) return;
  const ctrl = new AbortController();
  const groups = new Map<string, HealthTarget[]>();
  for (const s of state.values()) {
    if (s.result.status === "Current") continue;
    const key = `${s.target.apiVersion}|${s.target.kind}|${s.target.namespace}`;
    groups.set(key, [...(groups.get(key) ?? []), s.target]);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        onProgress?.(pending());
        if (failed()) {
          reject(new HealthError(`health check failed: ${describeUnhealthy([...state.values()].filter((s) => s.result.status === "Failed"))}`));
        } else if (!pending().length) resolve();
      };
      timer = setTimeout(() => reject(new HealthError(`health check timed out after ${Math.round(timeoutMs / 1000)}s: ${describeUnhealthy([...state.values()])}`)), timeoutMs);
      const update = (obj: KubeObject | undefined, id: string): void => {
        const s = state.get(id);
        if (!s) return;
        s.result = obj ? computeHealth(obj) : { status: "NotFound", message: `${s.subject}: not found` };
      };
      for (const [key, members] of groups) {
        const [apiVersion, kind, namespace] = key.split("|") as [string, string, string];
        const loop = async (): Promise<void> => {
          while (!ctrl.signal.aborted) {
            const list = await kube.list(apiVersion, kind, namespace ? { namespace } : {});
            const names = new Set(members.map((m) => m.name));
            for (const m of members) update(list.items.find((o) => o.metadata.name === m.name), keyOf(apiVersion, kind, namespace, m.name));
            check();
            await kube.watch(apiVersion, kind, { ...(namespace ? { namespace } : {}), resourceVersion: list.resourceVersion, signal: ctrl.signal, timeoutSeconds: 60 }, (e) => {
              if (e.type === "BOOKMARK" || e.type === "ERROR" || !names.has(e.object.metadata.name ?? "")) return;
              update(e.type === "DELETED" ? undefined : e.object, keyOf(apiVersion, kind, namespace, e.object.metadata.name ?? ""));
              check();
            });
          }
        };
        loop().catch((err: unknown) => { if (!ctrl.signal.aborted) reject(err as Error); });
      }
    });
  } finally {
    if (timer) clearTimeout(timer);
    ctrl.abort();
  }
}
