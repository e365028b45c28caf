/**
 * sops's in-memory document model: an ordered tree whose leaves are typed scalars or comments.
 * Integers are bigint, floats are number, so that `7` and `7.0` stay distinct as they do in sops (Go int vs float64).
 */

export class Comment {
  readonly value: string;
  readonly inline: boolean;
  constructor(value: string, inline = false) {
    this.value = value;
    this.inline = inline;
  }
}

export type Scalar = string | bigint | number | boolean | null;
export type TreeValue = Scalar | Comment | Branch | TreeValue[];

export interface TreeItem {
  key: string | Comment;
  value: TreeValue;
}

/** A mapping: an ordered list of items (keys may repeat, as in sops). */
export class Branch {
  readonly items: TreeItem[];
  constructor(items: TreeItem[] = []) {
    this.items = items;
  }
  get(key: string): TreeValue | undefined {
    for (const item of this.items) if (item.key === key) return item.value;
    return undefined;
  }
}

export function isList(v: TreeValue): v is TreeValue[] {
  return Array.isArray(v);
}
