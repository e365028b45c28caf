import { inventoryId, parseInventoryId, type ObjectRef } from "./object-ref.ts";

/** Flux's inventory entry: `{id, v}` where v is the apiVersion's version. */
export interface InventoryEntry {
  id: string;
  v: string;
}

export interface Inventory {
  entries: InventoryEntry[];
}

export interface InventoryItem {
  ref: ObjectRef;
  version: string;
}

export function toInventory(items: readonly InventoryItem[]): Inventory {
  const entries = items.map((i) => ({ id: inventoryId(i.ref), v: i.version }));
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { entries };
}

export function fromInventory(inv: Inventory | undefined): InventoryItem[] {
  return (inv?.entries ?? []).map((e) => ({ ref: parseInventoryId(e.id), version: e.v }));
}

/** The entries that are object ids, and the text of those that are not (a hand-edited status). */
export function readInventory(inv: Inventory | undefined): { items: InventoryItem[]; invalid: string[] } {
  const items: InventoryItem[] = [];
  const invalid: string[] = [];
  for (const e of inv?.entries ?? []) {
    try {
      items.push({ ref: parseInventoryId(e.id), version: e.v });
    } catch {
      invalid.push(e.id);
    }
  }
  return { items, invalid };
}

/**
 * Entries of `previous` whose object is not in `current`: what prune considers. Compared by object, not by the
 * stored text, so an id written in an older form (a raw `:` in an RBAC name) is not taken for a removed object.
 */
export function staleItems(previous: Inventory | undefined, current: Inventory): InventoryItem[] {
  const keep = new Set(fromInventory(current).map((i) => inventoryId(i.ref)));
  return fromInventory(previous).filter((i) => !keep.has(inventoryId(i.ref)));
}

/** Items of both lists, each id once (the later list's version wins). */
export function unionItems(a: readonly InventoryItem[], b: readonly InventoryItem[]): InventoryItem[] {
  const byId = new Map<string, InventoryItem>();
  for (const i of [...a, ...b]) byId.set(inventoryId(i.ref), i);
  return [...byId.values()];
}
