/** INI files <-> sops trees: every section (DEFAULT first) is a top-level key, as with sops' go-ini based store. */
import { Branch, Comment, type TreeItem } from "../tree.ts";
import { formatFloatF } from "../numbers.ts";
import { StoreError } from "./yaml-store.ts";

export const DEFAULT_SECTION = "DEFAULT";

interface Section {
  name: string;
  comment: string;
  keys: { name: string; value: string; comment: string }[];
}

function stripCommentChar(c: string): string {
  if (c.startsWith(";")) return c.replace(/^[; ]+/, "");
  if (c.startsWith("#")) return c.replace(/^[# ]+/, "");
  return c;
}

export function parseIni(text: string): Section[] {
  const sections: Section[] = [{ name: DEFAULT_SECTION, comment: "", keys: [] }];
  let current = sections[0] as Section;
  let pending: string[] = [];
  const lines = text.replace(/^\ufeff/, "").split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? "").trim();
    if (line === "") continue;
    if (line.startsWith("#") || line.startsWith(";")) {
      pending.push(line);
      continue;
    }
    if (line.startsWith("[")) {
      const end = line.lastIndexOf("]");
      if (end < 1) throw new StoreError(`invalid INI: unclosed section header at line ${n + 1}`);
      const name = line.slice(1, end).trim();
      const existing = sections.find((s) => s.name === name);
      current = existing ?? { name, comment: "", keys: [] };
      if (!existing) sections.push(current);
      if (pending.length) current.comment = pending.join("\n");
      pending = [];
      continue;
    }
    let name: string;
    let rest: string;
    if (line.startsWith("`")) {
      const end = line.indexOf("`", 1);
      if (end < 0) throw new StoreError(`invalid INI: unclosed key quote at line ${n + 1}`);
      name = line.slice(1, end);
      rest = line.slice(end + 1).trimStart();
      if (!rest.startsWith("=") && !rest.startsWith(":")) throw new StoreError(`invalid INI: missing delimiter at line ${n + 1}`);
      rest = rest.slice(1);
    } else {
      const pos = line.search(/[=:]/);
      if (pos < 0) throw new StoreError(`invalid INI: line ${n + 1} is neither a section, a comment nor key = value`);
      name = line.slice(0, pos).trim();
      rest = line.slice(pos + 1);
    }
    let value = rest.trim();
    if (value.startsWith('"""')) {
      let body = value.slice(3);
      while (!body.includes('"""')) {
        n++;
        if (n >= lines.length) throw new StoreError("invalid INI: unclosed triple-quoted value");
        body += "\n" + (lines[n] ?? "");
      }
      value = body.slice(0, body.indexOf('"""'));
    } else if (value.startsWith("`") && value.indexOf("`", 1) > 0) {
      value = value.slice(1, value.indexOf("`", 1));
    } else if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    } else {
      const c = value.search(/[#;]/);
      if (c >= 0) value = value.slice(0, c).trim();
    }
    const key = { name, value, comment: pending.join("\n") };
    pending = [];
    const idx = current.keys.findIndex((k) => k.name === name);
    if (idx >= 0) current.keys[idx] = key;
    else current.keys.push(key);
  }
  return sections;
}

export function loadIni(text: string): Branch {
  const b = new Branch();
  for (const s of parseIni(text)) {
    const items: TreeItem[] = [];
    if (s.comment) items.push({ key: new Comment(stripCommentChar(s.comment)), value: null });
    for (const k of s.keys) {
      items.push({ key: k.name, value: k.value });
      if (k.comment) items.push({ key: new Comment(stripCommentChar(k.comment)), value: null });
    }
    b.items.push({ key: s.name, value: new Branch(items) });
  }
  return b;
}

function valToString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatFloatF(v);
  if (v === null || v === undefined) return "";
  if (v instanceof Comment) return v.value;
  return String(v);
}

function commentBlock(c: string): string {
  return c
    .split("\n")
    .map((l) => (l.startsWith("#") || l.startsWith(";") ? `${l[0]} ${l.slice(1).trim()}` : `; ${l.trim()}`))
    .join("\n") + "\n";
}

function quoteKey(k: string): string {
  if (k.includes('"') || /[=:]/.test(k)) return "`" + k + "`";
  if (k.includes("`")) return '"""' + k + '"""';
  return k;
}

function quoteValue(v: string): string {
  if (/[\n`]/.test(v)) return '"""' + v + '"""';
  if (/[#;]/.test(v)) return "`" + v + "`";
  if (v.trim().length !== v.length) return `"${v}"`;
  return v;
}

export function emitIni(b: Branch): string {
  const blocks: string[] = [];
  const seen = new Set<string>();
  for (const item of b.items) {
    if (item.key instanceof Comment) continue;
    if (!(item.value instanceof Branch)) throw new StoreError("INI section values must be mappings");
    const name = item.key;
    let sectionComment = "";
    const keys: { name: string; value: string; comment: string }[] = [];
    item.value.items.forEach((kv, i) => {
      if (kv.key instanceof Comment) {
        if (i === 0) sectionComment = kv.key.value;
        else {
          const last = keys[keys.length - 1];
          if (last) last.comment = kv.key.value;
        }
        return;
      }
      if (kv.value instanceof Branch || Array.isArray(kv.value)) throw new StoreError(`INI values cannot be nested (key ${kv.key})`);
      keys.push({ name: kv.key, value: valToString(kv.value), comment: "" });
    });
    const isDefault = name === DEFAULT_SECTION && !seen.has(name) && blocks.length === 0;
    seen.add(name);
    if (isDefault && keys.length === 0) continue;
    let out = sectionComment ? commentBlock(sectionComment) : "";
    if (!isDefault) out += `[${name}]\n`;
    const width = Math.max(0, ...keys.map((k) => quoteKey(k.name).length));
    for (const k of keys) {
      if (k.comment) out += commentBlock(k.comment);
      const qk = quoteKey(k.name);
      out += `${qk}${" ".repeat(width - qk.length)} = ${quoteValue(k.value)}\n`;
    }
    blocks.push(out);
  }
  return blocks.join("\n");
}
