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

/** Entries of `previous` whose id is not in `current`: what prune considers. */
export function staleItems(previous: Inventory | undefined, current: Inventory): InventoryItem[] {
  const keep = new Set(current.entries.map((e) => e.id));
  return fromInventory(previous).filter((i) => !keep.has(inventoryId(i.ref)));
}

/** Items of both lists, each id once (the later list's version wins). */
export function unionItems(a: readonly InventoryItem[], b: readonly InventoryItem[]): InventoryItem[] {
  const byId = new Map<string, InventoryItem>();
  for (const i of [...a, ...b]) byId.set(inventoryId(i.ref), i);
  return [...byId.values()];
}
