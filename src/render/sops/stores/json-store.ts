/** JSON documents <-> sops trees: key order and int/float kinds preserved; output like Go's encoding/json + json.Indent with a tab. */
import { Branch, Comment, type TreeValue } from "../tree.ts";
import { formatFloatJson, inInt64Range } from "../numbers.ts";
import { StoreError } from "./yaml-store.ts";

const MAX_DEPTH = 500;

class Parser {
  readonly s: string;
  i = 0;
  constructor(s: string) {
    this.s = s;
  }
  fail(what: string): never {
    throw new StoreError(`invalid JSON: ${what} at offset ${this.i}`);
  }
  ws(): void {
    while (this.i < this.s.length && " \t\r\n".includes(this.s[this.i] as string)) this.i++;
  }
  value(depth: number): TreeValue {
    if (depth > MAX_DEPTH) this.fail("nesting too deep");
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object(depth + 1);
    if (c === "[") return this.array(depth + 1);
    if (c === '"') return this.string();
    if (this.s.startsWith("true", this.i)) return (this.i += 4), true;
    if (this.s.startsWith("false", this.i)) return (this.i += 5), false;
    if (this.s.startsWith("null", this.i)) return (this.i += 4), null;
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail("unexpected character");
    this.i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const v = BigInt(m[0]);
      if (inInt64Range(v)) return v;
    }
    return Number(m[0]);
  }
  string(): string {
    const start = this.i;
    let j = this.i + 1;
    for (;;) {
      const c = this.s.charCodeAt(j);
      if (Number.isNaN(c) || c < 0x20) this.fail("bad string");
      if (c === 0x22) break;
      j += c === 0x5c ? 2 : 1;
    }
    this.i = j + 1;
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string;
    } catch {
      return this.fail("bad string escape");
    }
  }
  object(depth: number): Branch {
    this.i++;
    const b = new Branch();
    this.ws();
    if (this.s[this.i] === "}") return this.i++, b;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected an object key");
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      b.items.push({ key, value: this.value(depth) });
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return b;
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }
  array(depth: number): TreeValue[] {
    this.i++;
    const out: TreeValue[] = [];
    this.ws();
    if (this.s[this.i] === "]") return this.i++, out;
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }
}

export function loadJson(text: string): Branch {
  const p = new Parser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  p.ws();
  if (p.s[p.i] !== "{") throw new StoreError("SOPS only supports JSON files with a top-level object");
  const b = p.value(0) as Branch;
  p.ws();
  if (p.i < p.s.length) p.fail("trailing data");
  return b;
}

/** encoding/json string escaping (HTML-safe, as json.Marshal does). */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) out += "\\u" + c.toString(16).padStart(4, "0");
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + s[i + 1];
        i++;
      } else out += "\ufffd";
    } else if (c >= 0xdc00 && c <= 0xdfff) out += "\ufffd";
    else out += ch;
  }
  return out + '"';
}

function emitValue(v: TreeValue, indent: string, depth: number): string {
  const pad = indent.repeat(depth);
  if (v instanceof Branch) {
    const items = v.items.filter((i) => typeof i.key === "string");
    if (items.length === 0) return "{}";
    const inner = items.map((i) => `${pad}${indent}${goJsonString(i.key as string)}: ${emitValue(i.value, indent, depth + 1)}`);
    return `{\n${inner.join(",\n")}\n${pad}}`;
  }
  if (Array.isArray(v)) {
    const items = v.filter((x) => !(x instanceof Comment));
    if (items.length === 0) return "[]";
    return `[\n${items.map((x) => pad + indent + emitValue(x, indent, depth + 1)).join(",\n")}\n${pad}]`;
  }
  if (v instanceof Comment) return "null";
  if (v === null) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return formatFloatJson(v);
  return v ? "true" : "false";
}

export function emitJson(b: Branch, indent = "\t"): string {
  return emitValue(b, indent, 0) + "\n";
}
