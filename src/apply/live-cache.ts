/**
 * Live objects owned by one Kustomization, listed once per kind by owner label (a handful of requests
 * instead of one per object). Kept current by apply results and, in watch mode, by watches.
 */
import type { KubeClient } from "../kube/client.ts";
import { inventoryId, refOf, type KubeObject, type ObjectRef } from "../core/object-ref.ts";

export class LiveCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listed = new Set<string>();
  /** apiVersion/kind of every object put here (applied or listed). */
  private readonly seen = new Set<string>();
  /** Set by watch mode once watches keep this cache current; otherwise each reconcile re-lists. */
  fedByWatch = false;
  /** Counts watch updates; per object, the count at its last one (see putApplied). */
  private watchUpdates = 0;
  private readonly watchedAt = new Map<string, number>();

  has(kindKey: string): boolean {
    return this.listed.has(kindKey);
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.objects.get(inventoryId(ref));
  }

  put(obj: KubeObject): void {
    this.objects.set(inventoryId(refOf(obj)), obj);
    this.noteKind(obj);
  }

  /** An object as a watch (or its list) delivered it: the freshest view there is. */
  putWatched(obj: KubeObject): void {
    this.put(obj);
    this.watchedAt.set(inventoryId(refOf(obj)), ++this.watchUpdates);
  }

  /** A mark taken before a write request, for putApplied. */
  mark(): number {
    return this.watchUpdates;
  }

  /**
   * An apply's answer, unless a watch delivered the object since `mark`: that view is at least as new (a
   * change made right after our write would otherwise be overwritten by our older answer, and go uncorrected).
   */
  putApplied(obj: KubeObject, mark: number): void {
    if ((this.watchedAt.get(inventoryId(refOf(obj))) ?? 0) > mark) return;
    this.put(obj);
  }

  /** Records an object's kind without the object (a create answered with metadata only): watch mode watches it. */
  noteKind(obj: KubeObject): void {
    this.seen.add(`${obj.apiVersion}/${obj.kind}`);
  }

  remove(ref: ObjectRef): void {
    this.objects.delete(inventoryId(ref));
  }

  /** The cached objects of one apiVersion/kind (watch mode compares them with a relist). */
  objectsOf(apiVersion: string, kind: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => o.apiVersion === apiVersion && o.kind === kind);
  }

  /** Lists each apiVersion/kind not listed yet with the owner selector. Kinds the server does not know yet are skipped. */
  async prime(kube: KubeClient, kinds: readonly { apiVersion: string; kind: string }[], labelSelector: string): Promise<void> {
    const todo = kinds.filter((k) => !this.listed.has(`${k.apiVersion}/${k.kind}`));
    await Promise.all(todo.map(async (k) => {
      try {
        const list = await kube.list(k.apiVersion, k.kind, { labelSelector });
        for (const o of list.items) this.put(o);
        this.listed.add(`${k.apiVersion}/${k.kind}`);
      } catch {
        // unknown kind (its CRD comes in an earlier stage) or no list permission: objects are looked up one by one
      }
    }));
  }

  /** The apiVersion/kind pairs listed or applied so far (what watch mode watches). */
  kinds(): { apiVersion: string; kind: string }[] {
    return [...new Set([...this.listed, ...this.seen])].map((k) => {
      const i = k.lastIndexOf("/");
      return { apiVersion: k.slice(0, i), kind: k.slice(i + 1) };
    });
  }

  /** Forget which kinds were listed (for a fresh view at the next reconcile). */
  reset(): void {
    this.objects.clear();
    this.listed.clear();
    this.seen.clear();
  }
}
