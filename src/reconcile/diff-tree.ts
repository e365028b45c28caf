/**
 * `plumb diff` over a whole tree: the root Kustomization and every Kustomization found in the renders that reads
 * the same source, each rendered as sync would and compared with the cluster by server-side dry-run. Read-only:
 * nothing is written, not even source status.
 */
import type { KubeClient } from "../kube/client.ts";
import { diffObjects, type ObjectChange } from "../apply/applier.ts";
import { LiveCache } from "../apply/live-cache.ts";
import type { KustomizationSpec, KustomizationStatus } from "../core/api-types.ts";
import { errorMessage } from "../core/errors.ts";
import { KUSTOMIZATION_API_VERSION, KUSTOMIZE_GROUP } from "../core/flux-api.ts";
import { staleItems, toInventory, type InventoryItem } from "../core/inventory.ts";
import { versionOf, type KubeObject } from "../core/object-ref.ts";
import { render, type Decryptor } from "../render/index.ts";
import { readAgeKeyTexts, readVariables } from "./kustomization-inputs.ts";
import { moveUrlCredentials } from "../source/git-url-credentials.ts";

export interface KustomizationDiff {
  /** namespace/name */
  kustomization: string;
  changes: (ObjectChange & { error?: string })[];
  /** Inventory entries that would be pruned (only when spec.prune). */
  pruned: InventoryItem[];
  /** Set when this Kustomization could not be rendered or compared. */
  error?: string;
  /** Set when it was not compared, e.g. it reads another source. */
  skipped?: string;
}

export interface DiffTreeOptions {
  kube: KubeClient;
  /** The checked-out source the root reads (the CLI's --source at its ref). */
  sourceDir: string;
  /** The root Kustomization as sync would bootstrap it. */
  root: KubeObject;
  makeDecryptor?: (keys: { source: string; text: string }[]) => Decryptor;
  /** Keys for the root when its spec has no decryption (sync's flux-system/sops-age convention). */
  rootKeys?: { source: string; text: string }[];
  /** Applied to every rendered object, as sync does (the CLI's --source replaces the bootstrap GitRepository's). */
  transform?: (obj: KubeObject) => KubeObject;
}

export async function diffTree(o: DiffTreeOptions): Promise<KustomizationDiff[]> {
  const out: KustomizationDiff[] = [];
  const rootNs = o.root.metadata.namespace ?? "flux-system";
  const rootSource = `${rootNs}/${(o.root["spec"] as KustomizationSpec).sourceRef.name}`;
  const seen = new Set<string>();
  const queue: KubeObject[] = [o.root];
  while (queue.length) {
    const ks = queue.shift() as KubeObject;
    const ns = ks.metadata.namespace ?? "default";
    const id = `${ns}/${ks.metadata.name ?? ""}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const spec = ks["spec"] as KustomizationSpec;
    const entry: KustomizationDiff = { kustomization: id, changes: [], pruned: [] };
    out.push(entry);
    if (`${spec.sourceRef.namespace ?? ns}/${spec.sourceRef.name}` !== rootSource || spec.sourceRef.kind !== "GitRepository") {
      entry.skipped = `reads ${spec.sourceRef.kind} ${spec.sourceRef.namespace ?? ns}/${spec.sourceRef.name}, not the source being diffed`;
      continue;
    }
    try {
      const variables = await readVariables(o.kube, ns, spec);
      const keys = (await readAgeKeyTexts(o.kube, ns, spec)) ?? (ks === o.root ? o.rootKeys : undefined);
      const decryptor = keys?.length && o.makeDecryptor ? o.makeDecryptor(keys) : undefined;
      const owner = { name: ks.metadata.name ?? "", namespace: ns };
      const res = await render({ sourceDir: o.sourceDir, spec, owner, ...(variables ? { variables } : {}), ...(decryptor ? { decryptor } : {}) });
      const objects = moveUrlCredentials(o.transform ? res.objects.map(o.transform) : res.objects);
      entry.changes = await diffObjects(objects, { kube: o.kube, owner, force: spec.force === true, events: () => {}, cache: new LiveCache() });
      if (spec.prune) {
        const live = await o.kube.get(KUSTOMIZATION_API_VERSION, "Kustomization", ns, owner.name).catch(() => undefined);
        const current = toInventory(entry.changes.map((c) => ({ ref: c.ref, version: versionOf(c.apiVersion) })));
        entry.pruned = staleItems(((live?.["status"] ?? {}) as KustomizationStatus).inventory, current);
      }
      for (const obj of objects) {
        if (obj.kind === "Kustomization" && obj.apiVersion.startsWith(`${KUSTOMIZE_GROUP}/`)) queue.push(obj);
      }
    } catch (err) {
      entry.error = errorMessage(err);
    }
  }
  return out;
}
