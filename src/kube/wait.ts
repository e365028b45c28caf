/** Waits on a condition of one object through list + watch (no polling), bounded by a timeout. */
import type { KubeObject } from "../core/object-ref.ts";
import type { KubeClient } from "./client.ts";

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {
  readonly last: KubeObject | undefined;
  constructor(message: string, last: KubeObject | undefined) {
    super(message);
    this.last = last;
  }
}

/**
 * Resolves with the object once `predicate(obj)` is true (obj is undefined when absent, so
 * a predicate can wait for deletion). Rejects with WaitTimeoutError after timeoutMs.
 */
export async function waitForObject(
  kube: KubeClient,
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  predicate: (obj: KubeObject | undefined) => boolean,
  opts: WaitOptions,
): Promise<KubeObject | undefined> {
  const ctrl = new AbortController();
  const onAbort = (): void => ctrl.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  let last: KubeObject | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<KubeObject | undefined>((resolve, reject) => {
      timer = setTimeout(() => reject(new WaitTimeoutError(`${kind}/${namespace ? namespace + "/" : ""}${name}: condition not met within ${opts.timeoutMs}ms`, last)), opts.timeoutMs);
      const loop = async (): Promise<void> => {
        while (!ctrl.signal.aborted) {
          const list = await kube.list(apiVersion, kind, { ...(namespace ? { namespace } : {}) });
          last = list.items.find((o) => o.metadata.name === name);
          if (predicate(last)) return resolve(last);
          await kube.watch(apiVersion, kind, { ...(namespace ? { namespace } : {}), resourceVersion: list.resourceVersion, signal: ctrl.signal, timeoutSeconds: 60 }, (e) => {
            if (e.type === "BOOKMARK" || e.type === "ERROR" || e.object.metadata.name !== name) return;
            last = e.type === "DELETED" ? undefined : e.object;
            if (predicate(last)) {
              resolve(last);
              ctrl.abort();
            }
          });
        }
      };
      loop().catch((err: unknown) => { if (!ctrl.signal.aborted) reject(err as Error); });
    });
  } finally {
    if (timer) clearTimeout(timer);
    ctrl.abort();
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

export function hasCondition(obj: KubeObject | undefined, type: string, status = "True"): boolean {
  const conds = ((obj?.["status"] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions) ?? [];
  return conds.some((c) => c.type === type && c.status === status);
}
