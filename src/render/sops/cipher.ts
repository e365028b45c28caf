/** sops's value cipher: AES-256-GCM with a 32-byte IV, values written as ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]. */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Comment, type Scalar } from "./tree.ts";
import { formatFloatF, parseGoBool, parseGoFloat, parseGoInt } from "./numbers.ts";

const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A value-level failure. Messages never contain the value. */
export class ValueCipherError extends Error {}

export function isEncryptedValue(v: string): boolean {
  return ENC_RE.test(v);
}

function b64(part: string, what: string): Buffer {
  if (!B64_RE.test(part)) throw new ValueCipherError(`corrupted encrypted value (${what} is not valid base64)`);
  return Buffer.from(part, "base64");
}

export type PlainLeaf = Exclude<Scalar, null> | Comment;

/** Decrypts one value; `additionalData` is the key path joined with ":" plus a trailing ":". */
export function decryptValue(ciphertext: string, key: Uint8Array, additionalData: string): PlainLeaf {
  if (ciphertext === "") return "";
  const m = ENC_RE.exec(ciphertext);
  if (!m) throw new ValueCipherError("value is not in sops' ENC[AES256_GCM,...] format");
  const data = b64(m[1] ?? "", "data");
  const iv = b64(m[2] ?? "", "iv");
  const tag = b64(m[3] ?? "", "tag");
  const type = m[4] ?? "";
  if (iv.length === 0) throw new ValueCipherError("corrupted encrypted value (empty iv)");
  if (tag.length !== 16) throw new ValueCipherError("corrupted encrypted value (tag is not 16 bytes)");
  let plain: Buffer;
  try {
    const d = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    d.setAAD(Buffer.from(additionalData, "utf8"));
    d.setAuthTag(tag);
    plain = Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new ValueCipherError("could not decrypt value with AES-GCM (wrong data key, or the value or its key path was altered)");
  }
  const text = plain.toString("utf8");
  switch (type) {
    case "str":
    case "bytes":
      return text;
    case "int":
    case "int64": {
      const v = parseGoInt(text);
      if (v === undefined) throw new ValueCipherError(`corrupted encrypted value (not an ${type})`);
      return v;
    }
    case "float": {
      const v = parseGoFloat(text);
      if (v === undefined) throw new ValueCipherError("corrupted encrypted value (not a float)");
      return v;
    }
    case "bool": {
      const v = parseGoBool(text);
      if (v === undefined) throw new ValueCipherError("corrupted encrypted value (not a bool)");
      return v;
    }
    case "comment":
      return new Comment(text);
    default:
      throw new ValueCipherError(`unknown encrypted value type "${type.slice(0, 20)}"`);
  }
}

/** The bytes sops feeds to the MAC and to the cipher for a value (sops.ToBytes). */
export function valueBytes(v: PlainLeaf): Buffer {
  if (v instanceof Comment) return Buffer.from(v.value, "utf8");
  switch (typeof v) {
    case "string":
      return Buffer.from(v, "utf8");
    case "bigint":
      return Buffer.from(v.toString(), "ascii");
    case "number":
      return Buffer.from(formatFloatF(v), "ascii");
    case "boolean":
      return Buffer.from(v ? "True" : "False", "ascii");
  }
}

function typeName(v: PlainLeaf): string {
  if (v instanceof Comment) return "comment";
  switch (typeof v) {
    case "string":
      return "str";
    case "bigint":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
  }
}

export function encryptValue(v: PlainLeaf, key: Uint8Array, additionalData: string, iv: Uint8Array = randomBytes(32)): string {
  if (v === "" || (v instanceof Comment && v.value === "")) return "";
  const c = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
  c.setAAD(Buffer.from(additionalData, "utf8"));
  const data = Buffer.concat([c.update(valueBytes(v)), c.final()]);
  const tag = c.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString("base64")},iv:${Buffer.from(iv).toString("base64")},tag:${tag.toString("base64")},type:${typeName(v)}]`;
}
