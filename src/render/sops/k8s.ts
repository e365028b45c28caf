/** Kubernetes objects: a whole object encrypted with sops, and Secret data values that are themselves sops files (as Flux handles them). */
import { DecryptionError } from "../../core/errors.ts";
import { Branch, Comment, type TreeValue } from "./tree.ts";
import { parseMetadata, toPlain } from "./metadata.ts";
import { decryptLoaded, decryptToFormat, guard } from "./sops-file.ts";
import { checkIdentities } from "./age-keys.ts";
import { detectEncryptedFormat, formatForKey } from "./format.ts";

function fromJs(v: unknown, depth = 0): TreeValue {
  if (depth > 500) throw new DecryptionError("object nesting too deep");
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().replace(/\.\d+Z$/, "Z");
  if (Array.isArray(v)) return v.map((x) => fromJs(x, depth + 1));
  if (typeof v === "object") return new Branch(Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: fromJs(value, depth + 1) })));
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (typeof v === "bigint" || typeof v === "string" || typeof v === "boolean") return v;
  return String(v);
}

function toJs(v: TreeValue): unknown {
  if (v instanceof Branch) {
    const out: Record<string, unknown> = {};
    for (const item of v.items) if (typeof item.key === "string") out[item.key] = toJs(item.value);
    return out;
  }
  if (Array.isArray(v)) return v.filter((x) => !(x instanceof Comment)).map(toJs);
  if (v instanceof Comment) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  return v;
}

/**
 * Decrypts an object that carries a top-level `sops` key and returns it without that key.
 * Like Flux, the MAC is not checked here: a build (namespace, labels, ...) legitimately adds values the MAC never covered.
 * Each value is still authenticated by AES-GCM against its key path.
 */
export async function decryptObject(obj: Record<string, unknown>, identities: string[], subject: string): Promise<Record<string, unknown>> {
  checkIdentities(identities, subject);
  return guard(subject, async () => {
    if (!obj["sops"] || typeof obj["sops"] !== "object") throw new DecryptionError(`${subject}: object has no sops metadata`, subject);
    const { sops, ...rest } = obj;
    const metadata = parseMetadata(toPlain(fromJs(sops)));
    const branch = fromJs(rest) as Branch;
    const [out] = await decryptLoaded({ branches: [branch], metadata }, identities, false);
    return toJs(out ?? new Branch()) as Record<string, unknown>;
  });
}

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * For a Secret, decrypts `data` (base64) and `stringData` values that are whole sops documents
 * (detected by Flux's marker bytes), re-emitting each in the format its key's extension names.
 */
export async function decryptSecretValues(secret: Record<string, unknown>, identities: string[], subject: string): Promise<Record<string, unknown>> {
  if (secret["kind"] !== "Secret") return secret;
  const out: Record<string, unknown> = { ...secret };
  for (const field of ["data", "stringData"] as const) {
    const map = secret[field];
    if (!map || typeof map !== "object" || Array.isArray(map)) continue;
    const next: Record<string, unknown> = { ...(map as Record<string, unknown>) };
    for (const [key, value] of Object.entries(next)) {
      if (typeof value !== "string") continue;
      let text: string;
      if (field === "data") {
        const compact = value.replace(/\s+/g, "");
        if (!STRICT_B64.test(compact)) continue; // left for the apply step to reject
        text = Buffer.from(compact, "base64").toString("utf8");
      } else text = value;
      const inFormat = detectEncryptedFormat(text);
      if (!inFormat) continue;
      const plain = await decryptToFormat(text, inFormat, formatForKey(key), identities, `${subject} ${field}.${key}`);
      next[key] = field === "data" ? Buffer.from(plain, "utf8").toString("base64") : plain;
    }
    out[field] = next;
  }
  return out;
}
