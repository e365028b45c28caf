/** Create-or-update of host objects (CRDs, the bootstrap namespace, source, Kustomization, credentials). Writes only when different. */
import type { KubeClient } from "../kube/client.ts";
import { hasCondition, waitForObject } from "../kube/wait.ts";
import { FIELD_MANAGER } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { judgeLive } from "../plan/compare.ts";

export async function ensureObject(kube: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const live = await kube.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "");
  if (live && judgeLive(obj, live, FIELD_MANAGER) === "unchanged") return live;
  return kube.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
}

/** Installs CRDs that are missing (never replaces one already installed, e.g. by Flux) and waits until established. */
export async function ensureCrds(kube: KubeClient, crds: readonly KubeObject[]): Promise<void> {
  let changed = false;
  for (const crd of crds) {
    const live = await kube.get(crd.apiVersion, crd.kind, undefined, crd.metadata.name ?? "");
    if (!live) await kube.apply(crd, { fieldManager: FIELD_MANAGER, force: true });
    // also when someone else just created it: wait until it is served
    if (!live || !hasCondition(live, "Established")) {
      await waitForObject(kube, crd.apiVersion, crd.kind, undefined, crd.metadata.name ?? "", (o) => hasCondition(o, "Established"), { timeoutMs: 60_000 });
      changed = true;
    }
  }
  if (changed) kube.mapper.invalidate();
}

/** Creates the object when missing; leaves an existing one alone (Git owns it after the first sync). */
export async function createIfMissing(kube: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const live = await kube.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "");
  return live ?? kube.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
}

/** The spec fields of the bootstrap source the CLI decides; each replaces the stored value wholly. */
const SOURCE_SPEC_KEYS = ["url", "ref", "secretRef"] as const;

/** The bootstrap source: created when missing; url, ref and secretRef replaced only when they differ. */
export async function ensureSourceSpec(kube: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const live = await kube.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "");
  if (!live) return kube.apply(obj, { fieldManager: FIELD_MANAGER, force: true });
  const patch = sourceSpecPatch((obj["spec"] ?? {}) as Record<string, unknown>, (live["spec"] ?? {}) as Record<string, unknown>);
  if (!patch) return live;
  return kube.patch(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name ?? "", { spec: patch }, "application/merge-patch+json");
}

/**
 * The merge patch that makes url, ref and secretRef of `have` equal to `want`, or undefined when they are. A merge
 * patch merges objects key by key, so every key of the stored value that the wanted one lacks is sent as null:
 * `{branch: main}` over `{commit: X}` must not leave `{branch: main, commit: X}` (where commit wins). Pure.
 */
export function sourceSpecPatch(want: Record<string, unknown>, have: Record<string, unknown>): Record<string, unknown> | undefined {
  const same = (k: string): boolean => JSON.stringify(want[k] ?? null) === JSON.stringify(have[k] ?? null);
  if (SOURCE_SPEC_KEYS.every(same)) return undefined;
  const patch: Record<string, unknown> = {};
  for (const k of SOURCE_SPEC_KEYS) {
    if (same(k)) continue;
    const w = want[k];
    const h = have[k];
    if (isPlainObject(w) && isPlainObject(h)) patch[k] = { ...Object.fromEntries(Object.keys(h).map((key) => [key, null])), ...w };
    else patch[k] = w ?? null;
  }
  return patch;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
