/** How go-yaml v3 (used by sops) resolves plain YAML scalars, and when it quotes strings on output. Pure functions. */
import type { Scalar } from "../tree.ts";
import { inInt64Range } from "../numbers.ts";

const YAML_FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP_RE = /^\d{4}-\d{1,2}-\d{1,2}(?:(?:[Tt]|[ \t]+)\d{1,2}:\d{2}:\d{2}(?:\.\d*)?(?:[ \t]*(?:Z|[+-]\d{1,2}(?::?\d{2})?))?)?$/;
const OLD_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
const BASE60_RE = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

export class YamlValueError extends Error {}

/** strconv.ParseInt(s, 0, 64) and ParseUint(s, 0, 64); returns undefined if s is not an integer literal. */
function parseIntBase0(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2] ?? "";
  let v: bigint;
  if (/^0[oO]/.test(body)) v = BigInt("0o" + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) v = BigInt("0o" + body.slice(1));
  else v = BigInt(body.toLowerCase().replace(/^0x/, "0x").replace(/^0b/, "0b"));
  return m[1] === "-" ? -v : v;
}

export function isTimestamp(s: string): boolean {
  return TIMESTAMP_RE.test(s);
}

/** The value a plain (unquoted, untagged) scalar decodes to into interface{}. */
export function resolvePlain(s: string): Scalar {
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
    case ".nan":
    case ".NaN":
    case ".NAN":
      return NaN;
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
      return Infinity;
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return -Infinity;
  }
  const c = s[0] ?? "";
  if (c === ".") {
    if (YAML_FLOAT_RE.test(s)) return Number(s);
    return s;
  }
  if (!/[0-9+-]/.test(c)) return s;
  if (isTimestamp(s)) return s; // go-yaml v3 keeps timestamps as strings when decoding into interface{}
  const plain = s.replaceAll("_", "");
  const i = parseIntBase0(plain);
  if (i !== undefined) {
    if (inInt64Range(i)) return i;
    if (i > 0n && i < 2n ** 64n) throw new YamlValueError("unsigned 64-bit integers are not supported by sops");
  }
  if (YAML_FLOAT_RE.test(plain)) return Number(plain);
  return s;
}

/** True if go-yaml would double-quote this string so that it reads back as a string. */
export function needsDoubleQuotes(s: string): boolean {
  // go-yaml cannot use a block scalar when a line ends in whitespace.
  if (s.includes("\n")) return /[ \t]\n/.test(s) || /^[ \t]/.test(s);
  if (OLD_BOOLS.has(s) || BASE60_RE.test(s)) return true;
  try {
    return typeof resolvePlain(s) !== "string" || isTimestamp(s);
  } catch {
    return true;
  }
}
