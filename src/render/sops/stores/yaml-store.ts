/** YAML documents <-> sops trees, with comments, formatted like go-yaml v3 with sops' 4-space indent. */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import { Branch, Comment, type TreeItem, type TreeValue } from "../tree.ts";
import { formatFloatYaml } from "../numbers.ts";
import { YamlValueError, needsDoubleQuotes, resolvePlain } from "./yaml-resolve.ts";

export class StoreError extends Error {}

function commentLines(text: string | null | undefined, inline = false): Comment[] {
  if (!text) return [];
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => new Comment(l, inline));
}

function scalarValue(node: Scalar): TreeValue {
  const raw = node.value;
  const text = typeof raw === "string" ? raw : raw === null || raw === undefined ? "" : String(raw);
  const tag = node.tag;
  if (tag && tag !== "tag:yaml.org,2002:str" && tag.startsWith("tag:yaml.org,2002:")) {
    const kind = tag.slice("tag:yaml.org,2002:".length);
    if (kind === "binary") return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
    const v = resolvePlain(text);
    if (kind === "null" || kind === "bool" || kind === "int" || kind === "float") {
      if (kind === "float" && typeof v === "bigint") return Number(v);
      return v;
    }
    return text;
  }
  if (tag) return text;
  if (node.type === "PLAIN") return resolvePlain(text);
  return text;
}

function nodeValue(node: unknown, anchors: Map<string, Node>, depth: number): TreeValue {
  if (depth > 200) throw new StoreError("YAML nesting is too deep");
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = anchors.get(node.source);
    if (!target) throw new StoreError(`unknown YAML alias *${node.source}`);
    return nodeValue(target, anchors, depth + 1);
  }
  if (isMap(node)) return mapBranch(node, anchors, depth + 1);
  if (isSeq(node)) {
    const out: TreeValue[] = [...commentLines(node.commentBefore)];
    for (const item of node.items) {
      const n = item as Node;
      if (isScalar(n) || isAlias(n)) out.push(...commentLines(n.commentBefore), ...commentLines(n.comment, true));
      out.push(nodeValue(n, anchors, depth + 1));
    }
    out.push(...commentLines(node.comment));
    return out;
  }
  if (isScalar(node)) return scalarValue(node);
  throw new StoreError("unsupported YAML node");
}

function keyString(key: unknown, anchors: Map<string, Node>): string {
  const v = nodeValue(key, anchors, 0);
  if (typeof v !== "string") throw new StoreError(`only string keys are supported by sops, found a ${v === null ? "null" : typeof v} key`);
  return v;
}

function mapBranch(map: YAMLMap, anchors: Map<string, Node>, depth: number): Branch {
  const items: TreeItem[] = commentLines(map.commentBefore).map((c) => ({ key: c, value: null }));
  for (const pair of map.items) {
    const key = pair.key as Node | null;
    const value = pair.value as Node | null;
    if (key && (isScalar(key) || isAlias(key))) items.push(...commentLines(key.commentBefore).map((c) => ({ key: c, value: null })));
    const scalarLike = value === null || isScalar(value) || isAlias(value);
    if (value && scalarLike) {
      items.push(...commentLines(value.commentBefore).map((c) => ({ key: c, value: null })));
      items.push(...commentLines(value.comment, true).map((c) => ({ key: c, value: null })));
    }
    items.push({ key: keyString(key, anchors), value: nodeValue(value, anchors, depth + 1) });
  }
  items.push(...commentLines(map.comment).map((c) => ({ key: c, value: null })));
  return new Branch(items);
}

function collectAnchors(node: unknown, anchors: Map<string, Node>, depth = 0): void {
  if (depth > 200 || node === null || typeof node !== "object") return;
  const n = node as Node;
  if ((isScalar(n) || isMap(n) || isSeq(n)) && n.anchor) anchors.set(n.anchor, n);
  if (isMap(n)) for (const p of n.items) {
    collectAnchors(p.key, anchors, depth + 1);
    collectAnchors(p.value, anchors, depth + 1);
  }
  if (isSeq(n)) for (const i of n.items) collectAnchors(i, anchors, depth + 1);
}

/** Parses all documents; each must be a mapping (or empty). */
export function loadYaml(text: string): Branch[] {
  const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return [new Branch()];
  const out: Branch[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw new StoreError(`invalid YAML: ${err.code} at line ${err.linePos?.[0]?.line ?? "?"}`);
    const anchors = new Map<string, Node>();
    collectAnchors(doc.contents, anchors);
    const head = commentLines(doc.commentBefore).map((c): TreeItem => ({ key: c, value: null }));
    const foot = commentLines(doc.comment).map((c): TreeItem => ({ key: c, value: null }));
    const contents = doc.contents as Node | null;
    let branch: Branch;
    if (contents === null || (isScalar(contents) && scalarValue(contents) === null)) branch = new Branch();
    else if (isMap(contents)) branch = mapBranch(contents, anchors, 0);
    else if (isSeq(contents)) throw new StoreError("YAML documents that are sequences are not supported");
    else throw new StoreError("YAML documents that are values are not supported");
    out.push(new Branch([...head, ...branch.items, ...foot]));
  }
  return out;
}

function join(lines: string[]): string | null {
  return lines.length > 0 ? lines.join("\n") : null;
}

function toNode(v: TreeValue): Node {
  if (v instanceof Branch) return toMap(v);
  if (Array.isArray(v)) return toSeq(v);
  if (v instanceof Comment) return new Scalar(v.value);
  // Output uses the failsafe schema, so every scalar is a string and quoting follows go-yaml's rules, not the library's.
  if (typeof v === "string") {
    const s = new Scalar(v);
    if (needsDoubleQuotes(v)) s.type = "QUOTE_DOUBLE";
    return s;
  }
  const text = v === null ? "null" : typeof v === "number" ? formatFloatYaml(v) : String(v);
  const s = new Scalar(text);
  s.type = "PLAIN";
  return s;
}

function toSeq(list: TreeValue[]): YAMLSeq {
  const seq = new YAMLSeq();
  let head: string[] = [];
  let inline: string[] = [];
  for (const item of list) {
    if (item instanceof Comment) {
      (item.inline ? inline : head).push(item.value);
      continue;
    }
    const node = toNode(item);
    if (head.length) node.commentBefore = join(head);
    if (inline.length) {
      if (isScalar(node)) node.comment = join(inline);
      else node.commentBefore = join([...head, ...inline]);
    }
    head = [];
    inline = [];
    seq.items.push(node);
  }
  const rest = join([...head, ...inline]);
  if (rest) {
    if (seq.items.length === 0) seq.commentBefore = rest;
    else seq.comment = rest;
  }
  return seq;
}

function toMap(b: Branch): YAMLMap {
  const map = new YAMLMap();
  let head: string[] = [];
  let inline: string[] = [];
  for (const item of b.items) {
    if (item.key instanceof Comment) {
      (item.key.inline ? inline : head).push(item.key.value);
      continue;
    }
    const key = toNode(item.key);
    const value = toNode(item.value);
    if (inline.length) {
      if (isScalar(value)) value.comment = join(inline);
      else head.push(...inline);
    }
    if (head.length) key.commentBefore = join(head);
    head = [];
    inline = [];
    map.items.push(new Pair(key, value));
  }
  const rest = join([...head, ...inline]);
  if (rest) {
    if (map.items.length === 0) map.commentBefore = rest;
    else map.comment = rest;
  }
  return map;
}

export function emitYaml(branches: Branch[]): string {
  const parts: string[] = [];
  for (const b of branches) {
    const doc = new Document(null, { schema: "failsafe", version: "1.2" });
    const map = toMap(b);
    if (map.items.length === 0 && map.commentBefore) {
      doc.commentBefore = map.commentBefore;
      map.commentBefore = null;
    }
    doc.contents = map;
    parts.push(doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, minContentWidth: 0, singleQuote: true }));
  }
  return parts.join("---\n");
}

export { YamlValueError };
