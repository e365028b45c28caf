/** The `sops` metadata block: parsing (weakly typed, as sops' mapstructure decoding is) and serializing (sorted keys, as sops ≥ 3.9 writes). */
import { Branch, Comment, type TreeValue } from "./tree.ts";
import type { CryptRules } from "./walk.ts";
import { formatFloatF } from "./numbers.ts";

export const SOPS_VERSION = "3.13.3";
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

export interface AgeKeyEntry {
  recipient: string;
  enc: string;
}

export interface KeyGroup {
  age: AgeKeyEntry[];
  /** Names of other key types (pgp, kms, ...) present in the group, which this implementation cannot use. */
  otherKeyTypes: string[];
}

export interface SopsMetadata extends CryptRules {
  keyGroups: KeyGroup[];
  /** True when the file lists its keys under key_groups (even a single group). */
  usesKeyGroups: boolean;
  shamirThreshold: number;
  lastModified: string;
  mac: string;
  version: string;
}

export class MetadataError extends Error {}

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

/** Converts a tree value to plain data, dropping comments. */
export function toPlain(v: TreeValue): Plain {
  if (v instanceof Branch) {
    const out: { [k: string]: Plain } = {};
    for (const item of v.items) if (typeof item.key === "string") out[item.key] = toPlain(item.value);
    return out;
  }
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof Comment)).map(toPlain);
  if (v instanceof Comment) return null;
  if (typeof v === "bigint") return Number(v);
  return v;
}

function str(v: Plain | undefined, field: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatFloatF(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  throw new MetadataError(`field ${field} must be a string`);
}

function bool(v: Plain | undefined, field: string): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  }
  throw new MetadataError(`field ${field} must be a boolean`);
}

function int(v: Plain | undefined, field: string): number {
  if (v === undefined || v === null || v === "") return 0;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number(v);
  throw new MetadataError(`field ${field} must be an integer`);
}

function list(v: Plain | undefined, field: string): Plain[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  throw new MetadataError(`field ${field} must be a list`);
}

function obj(v: Plain | undefined, field: string): { [k: string]: Plain } {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v;
  throw new MetadataError(`field ${field} must be a mapping`);
}

const OTHER_KEY_TYPES = ["pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms", "barbican"];

function group(m: { [k: string]: Plain }, field: string): KeyGroup {
  const age = list(m["age"], `${field}.age`).map((e, i) => {
    const o = obj(e, `${field}.age[${i}]`);
    const recipient = str(o["recipient"], `${field}.age[${i}].recipient`);
    const enc = str(o["enc"], `${field}.age[${i}].enc`);
    if (!recipient || !enc) throw new MetadataError(`${field}.age[${i}] needs recipient and enc`);
    return { recipient, enc };
  });
  const otherKeyTypes = OTHER_KEY_TYPES.filter((k) => list(m[k], `${field}.${k}`).length > 0);
  return { age, otherKeyTypes };
}

const RFC3339_RE = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The additional data the MAC is encrypted with: lastmodified re-formatted as Go's time.RFC3339 does. */
export function macAdditionalData(lastModified: string): string {
  const m = RFC3339_RE.exec(lastModified);
  if (!m) throw new MetadataError("lastmodified is not an RFC 3339 timestamp");
  let zone = m[4] ?? "Z";
  if (zone === "z" || zone === "+00:00" || zone === "-00:00") zone = "Z";
  return `${m[1]}T${m[2]}${zone}`;
}

export function parseMetadata(plain: Plain): SopsMetadata {
  const m = obj(plain, "sops");
  const lastModified = str(m["lastmodified"], "lastmodified");
  macAdditionalData(lastModified); // validates
  const rules: CryptRules = {
    unencryptedSuffix: str(m["unencrypted_suffix"], "unencrypted_suffix"),
    encryptedSuffix: str(m["encrypted_suffix"], "encrypted_suffix"),
    unencryptedRegex: str(m["unencrypted_regex"], "unencrypted_regex"),
    encryptedRegex: str(m["encrypted_regex"], "encrypted_regex"),
    unencryptedCommentRegex: str(m["unencrypted_comment_regex"], "unencrypted_comment_regex"),
    encryptedCommentRegex: str(m["encrypted_comment_regex"], "encrypted_comment_regex"),
    macOnlyEncrypted: bool(m["mac_only_encrypted"], "mac_only_encrypted"),
  };
  const ruleCount = [rules.unencryptedSuffix, rules.encryptedSuffix, rules.unencryptedRegex, rules.encryptedRegex, rules.unencryptedCommentRegex, rules.encryptedCommentRegex].filter((r) => r !== "").length;
  if (ruleCount > 1) throw new MetadataError("more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex is set");
  if (ruleCount === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  const top = group(m, "sops");
  let keyGroups: KeyGroup[];
  let usesKeyGroups = false;
  if (top.age.length > 0 || top.otherKeyTypes.length > 0) {
    keyGroups = [top];
  } else {
    keyGroups = list(m["key_groups"], "key_groups").map((g, i) => group(obj(g, `key_groups[${i}]`), `key_groups[${i}]`));
    usesKeyGroups = true;
  }
  if (keyGroups.length === 0) throw new MetadataError("no keys found in the sops metadata");
  return {
    ...rules,
    keyGroups,
    usesKeyGroups,
    shamirThreshold: int(m["shamir_threshold"], "shamir_threshold"),
    lastModified,
    mac: str(m["mac"], "mac"),
    version: str(m["version"], "version"),
  };
}

/** The metadata as a tree branch with sorted keys and empty fields left out, as sops writes it. */
export function metadataToBranch(md: SopsMetadata): Branch {
  const ageList = (entries: AgeKeyEntry[]): TreeValue[] => entries.map((e) => new Branch([{ key: "enc", value: e.enc }, { key: "recipient", value: e.recipient }]));
  const fields: [string, TreeValue][] = [];
  if (md.keyGroups.length === 1) fields.push(["age", ageList(md.keyGroups[0]?.age ?? [])]);
  else fields.push(["key_groups", md.keyGroups.map((g) => new Branch([{ key: "age", value: ageList(g.age) }]))]);
  const optional: [string, string][] = [
    ["encrypted_comment_regex", md.encryptedCommentRegex],
    ["encrypted_regex", md.encryptedRegex],
    ["encrypted_suffix", md.encryptedSuffix],
    ["unencrypted_comment_regex", md.unencryptedCommentRegex],
    ["unencrypted_regex", md.unencryptedRegex],
    ["unencrypted_suffix", md.unencryptedSuffix],
  ];
  for (const [k, v] of optional) if (v !== "") fields.push([k, v]);
  fields.push(["lastmodified", md.lastModified]);
  fields.push(["mac", md.mac]);
  if (md.macOnlyEncrypted) fields.push(["mac_only_encrypted", true]);
  if (md.shamirThreshold > 0 && md.keyGroups.length > 1) fields.push(["shamir_threshold", BigInt(md.shamirThreshold)]);
  fields.push(["version", md.version]);
  fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Branch(fields.map(([key, value]) => ({ key, value })));
}

const MAP_SEP = "__map_";
const LIST_SEP = "__list_";

/** Flattens the metadata for dotenv and INI: nested keys joined with __map_/__list_, non-strings stringified, newlines escaped. */
export function flattenMetadata(b: Branch): [string, string][] {
  const out: [string, string][] = [];
  const visit = (prefix: string, v: TreeValue): void => {
    if (v instanceof Branch) {
      for (const item of v.items) if (typeof item.key === "string") visit(prefix === "" ? item.key : prefix + MAP_SEP + item.key, item.value);
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => visit(prefix + LIST_SEP + i, x));
    } else if (v !== null && !(v instanceof Comment)) {
      const s = typeof v === "string" ? v : typeof v === "number" ? formatFloatF(v) : String(v);
      out.push([prefix, s.replaceAll("\n", "\\n")]);
    }
  };
  visit("", b);
  return out;
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: "normal" | "map" | "list" = "normal";
  let start = 0;
  let i = 0;
  const finish = (): void => {
    if (state === "normal") tokens.push({ map: path.slice(start, i) });
    else if (state === "map") tokens.push({ map: path.slice(start + MAP_SEP.length, i) });
    else tokens.push({ list: Number.parseInt(path.slice(start + LIST_SEP.length, i), 10) || 0 });
    start = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP_SEP, i)) {
      finish();
      state = "map";
      i += MAP_SEP.length;
    } else if (path.startsWith(LIST_SEP, i)) {
      finish();
      state = "list";
      i += LIST_SEP.length;
    } else i++;
  }
  finish();
  return tokens;
}

const MAX_LIST_INDEX = 10_000;

/** Inverse of flattenMetadata: entries are (key without the sops_ prefix, raw value). */
export function unflattenMetadata(entries: [string, string][]): Plain {
  const root: { [k: string]: Plain } = {};
  for (const [key, raw] of entries) {
    const value = raw.replaceAll("\\n", "\n");
    const tokens = tokenize(key);
    let node: Plain = root;
    for (let t = 0; t < tokens.length; t++) {
      const tok = tokens[t] as Token;
      const next = tokens[t + 1];
      const make = (): Plain => (next === undefined ? value : "map" in next ? {} : []);
      if ("map" in tok) {
        if (node === null || typeof node !== "object" || Array.isArray(node)) throw new MetadataError(`malformed flattened metadata key ${key}`);
        const container: { [k: string]: Plain } = node;
        if (next === undefined) container[tok.map] = value;
        else container[tok.map] ??= make();
        node = container[tok.map] as Plain;
      } else {
        if (!Array.isArray(node) || tok.list > MAX_LIST_INDEX) throw new MetadataError(`malformed flattened metadata key ${key}`);
        const arr: Plain[] = node;
        while (arr.length <= tok.list) arr.push(null);
        if (next === undefined) arr[tok.list] = value;
        else if (arr[tok.list] === null) arr[tok.list] = make();
        node = arr[tok.list] as Plain;
      }
    }
  }
  return root;
}
