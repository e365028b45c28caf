/** dotenv files <-> sops trees, as sops' dotenv store reads and writes them. */
import { Branch, Comment } from "../tree.ts";
import { formatFloatF } from "../numbers.ts";
import { StoreError } from "./yaml-store.ts";

export function loadDotenv(text: string): Branch {
  const b = new Branch();
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] ?? "";
    if (line === "") continue;
    if (line.startsWith("#")) {
      b.items.push({ key: new Comment(line.slice(1)), value: null });
      continue;
    }
    const pos = line.indexOf("=");
    if (pos === -1) throw new StoreError(`invalid dotenv input: line ${n + 1} has no '='`);
    b.items.push({ key: line.slice(0, pos), value: line.slice(pos + 1).replaceAll("\\n", "\n") });
  }
  return b;
}

export function emitDotenv(b: Branch): string {
  let out = "";
  for (const item of b.items) {
    if (item.key instanceof Comment) {
      out += `#${item.key.value}\n`;
      continue;
    }
    const v = item.value;
    if (v instanceof Branch || Array.isArray(v)) throw new StoreError(`cannot use complex value in dotenv file; offending key ${item.key}`);
    let s: string;
    if (typeof v === "string") s = v.replaceAll("\n", "\\n");
    else if (v === null) s = "";
    else if (v instanceof Comment) s = v.value;
    else if (typeof v === "number") s = formatFloatF(v);
    else s = String(v);
    out += `${item.key}=${s}\n`;
  }
  return out;
}
