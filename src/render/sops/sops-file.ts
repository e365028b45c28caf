/** Whole-file decryption and encryption, compatible with the sops CLI (age keys only). */
import { randomBytes } from "node:crypto";
import { DecryptionError } from "../../core/errors.ts";
import { Branch, type TreeItem, type TreeValue } from "./tree.ts";
import { decryptValue, encryptValue, ValueCipherError } from "./cipher.ts";
import { decryptBranches, encryptBranches, TreeWalkError, type CryptRules } from "./walk.ts";
import { DEFAULT_UNENCRYPTED_SUFFIX, MetadataError, SOPS_VERSION, flattenMetadata, macAdditionalData, metadataToBranch, parseMetadata, toPlain, unflattenMetadata, type KeyGroup, type SopsMetadata } from "./metadata.ts";
import { AgeUnwrapError, checkIdentities, unwrapDataKey, wrapDataKey } from "./age-keys.ts";
import { combine, split } from "./shamir.ts";
import { emitYaml, loadYaml, StoreError } from "./stores/yaml-store.ts";
import { YamlValueError } from "./stores/yaml-resolve.ts";
import { emitJson, loadJson } from "./stores/json-store.ts";
import { emitDotenv, loadDotenv } from "./stores/dotenv-store.ts";
import { emitIni, loadIni } from "./stores/ini-store.ts";
import { GoRegExpError } from "./go-regexp.ts";
import type { SopsFormat } from "./format.ts";

const FORMATS: SopsFormat[] = ["yaml", "json", "dotenv", "ini", "binary"];

export interface EncryptOptions {
  recipients: string[];
  encryptedRegex?: string;
  unencryptedRegex?: string;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
  encryptedCommentRegex?: string;
  unencryptedCommentRegex?: string;
  macOnlyEncrypted?: boolean;
  keyGroups?: string[][];
  shamirThreshold?: number;
}

/** Errors raised inside that are safe to show (no values, no key material). */
function isSafe(err: unknown): err is Error {
  return err instanceof MetadataError || err instanceof StoreError || err instanceof TreeWalkError || err instanceof ValueCipherError || err instanceof AgeUnwrapError || err instanceof YamlValueError || err instanceof GoRegExpError;
}

async function guard<T>(subject: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DecryptionError) throw err;
    if (isSafe(err)) throw new DecryptionError(`${subject}: ${err.message}`, subject);
    // Unknown errors may quote input; keep only their class name.
    throw new DecryptionError(`${subject}: ${err instanceof Error ? err.name : "error"} while processing the sops file`, subject);
  }
}

function checkFormat(format: string): asserts format is SopsFormat {
  if (!FORMATS.includes(format as SopsFormat)) throw new MetadataError(`unknown format "${String(format).slice(0, 20)}" (expected one of ${FORMATS.join(", ")})`);
}

interface Loaded {
  branches: Branch[];
  metadata: SopsMetadata;
}

function extractTopLevel(branches: Branch[]): TreeValue | undefined {
  let found: TreeValue | undefined;
  branches.forEach((b, bi) => {
    const kept: TreeItem[] = [];
    for (const item of b.items) {
      if (item.key === "sops") {
        if (bi === 0) {
          if (found !== undefined) throw new MetadataError("duplicate sops entry");
          if (!(item.value instanceof Branch)) throw new MetadataError("the sops entry is not a mapping");
          found = item.value;
        }
      } else kept.push(item);
    }
    b.items.splice(0, b.items.length, ...kept);
  });
  return found;
}

export function loadEncrypted(text: string, format: SopsFormat): Loaded {
  checkFormat(format);
  let branches: Branch[];
  let md: ReturnType<typeof toPlain> | undefined;
  if (format === "yaml" || format === "json" || format === "binary") {
    branches = format === "yaml" ? loadYaml(text) : [loadJson(text)];
    const tree = extractTopLevel(branches);
    md = tree === undefined ? undefined : toPlain(tree);
  } else if (format === "dotenv") {
    const b = loadDotenv(text);
    const entries: [string, string][] = [];
    const kept = b.items.filter((item) => {
      if (typeof item.key === "string" && item.key.startsWith("sops_")) {
        entries.push([item.key.slice(5), typeof item.value === "string" ? item.value.replaceAll("\n", "\\n") : ""]);
        return false;
      }
      return true;
    });
    branches = [new Branch(kept)];
    md = entries.length ? unflattenMetadata(entries) : undefined;
  } else {
    const b = loadIni(text);
    const idx = b.items.findIndex((i) => i.key === "sops");
    const section = idx >= 0 ? b.items[idx]?.value : undefined;
    if (section instanceof Branch) {
      md = unflattenMetadata(section.items.filter((i) => typeof i.key === "string").map((i) => [i.key as string, typeof i.value === "string" ? i.value : ""]));
      b.items.splice(idx, 1);
    }
    branches = [b];
  }
  if (md === undefined) throw new MetadataError("sops metadata not found");
  return { branches, metadata: parseMetadata(md) };
}

export function loadPlain(text: string, format: SopsFormat): Branch[] {
  checkFormat(format);
  let branches: Branch[];
  switch (format) {
    case "yaml":
      branches = loadYaml(text);
      break;
    case "json":
      branches = [loadJson(text)];
      break;
    case "dotenv":
      branches = [loadDotenv(text)];
      if (branches[0]?.items.some((i) => typeof i.key === "string" && i.key.startsWith("sops_"))) throw new MetadataError("the file has keys starting with sops_ (already encrypted, or uses the reserved prefix)");
      return branches;
    case "ini":
      branches = [loadIni(text)];
      break;
    case "binary":
      return [new Branch([{ key: "data", value: text }])];
  }
  if (branches[0]?.items.some((i) => i.key === "sops")) throw new MetadataError("the file already has a top-level sops key (already encrypted?)");
  return branches;
}

export function emitPlain(branches: Branch[], format: SopsFormat): string {
  checkFormat(format);
  const first = branches[0] ?? new Branch();
  switch (format) {
    case "yaml":
      return emitYaml(branches);
    case "json":
      return emitJson(first);
    case "dotenv":
      return emitDotenv(first);
    case "ini":
      return emitIni(first);
    case "binary": {
      const data = first.get("data");
      if (typeof data !== "string") throw new StoreError("no binary data found in the tree (expected a string under the key \"data\")");
      return data;
    }
  }
}

function emitEncrypted(branches: Branch[], md: SopsMetadata, format: SopsFormat): string {
  const mdBranch = metadataToBranch(md);
  switch (format) {
    case "yaml":
      return emitYaml(branches.map((b) => new Branch([...b.items, { key: "sops", value: mdBranch }])));
    case "json":
    case "binary":
      return emitJson(new Branch([...(branches[0]?.items ?? []), { key: "sops", value: mdBranch }]));
    case "dotenv":
      return emitDotenv(new Branch([...(branches[0]?.items ?? []), ...flattenMetadata(mdBranch).map(([k, v]): TreeItem => ({ key: "sops_" + k, value: v }))]));
    case "ini":
      return emitIni(new Branch([...(branches[0]?.items ?? []), { key: "sops", value: new Branch(flattenMetadata(mdBranch).map(([k, v]): TreeItem => ({ key: k, value: v }))) }]));
  }
}

async function groupPart(group: KeyGroup, index: number, identities: string[]): Promise<{ part?: Uint8Array; problem: string }> {
  if (group.age.length === 0) return { problem: `key group ${index + 1} has no age recipients (only ${group.otherKeyTypes.join(", ") || "unsupported"} keys)` };
  let wrong = "";
  for (const entry of group.age) {
    try {
      return { part: await unwrapDataKey(entry.enc, entry.recipient, identities), problem: "" };
    } catch (err) {
      if (err instanceof AgeUnwrapError && err.message !== "no identity matches") wrong ||= err.message;
    }
  }
  return { problem: wrong || `no identity matches any of the file's age recipients (${group.age.map((e) => e.recipient).join(", ")})` };
}

export async function dataKey(md: SopsMetadata, identities: string[]): Promise<Uint8Array> {
  const results = await Promise.all(md.keyGroups.map((g, i) => groupPart(g, i, identities)));
  const parts = results.flatMap((r) => (r.part ? [r.part] : []));
  let key: Uint8Array;
  if (md.keyGroups.length > 1) {
    const threshold = md.shamirThreshold > 0 ? md.shamirThreshold : md.keyGroups.length;
    if (parts.length < Math.max(threshold, 2)) {
      const problems = results.filter((r) => !r.part).map((r) => r.problem);
      throw new AgeUnwrapError(`could decrypt ${parts.length} of the ${threshold} key groups needed (shamir_threshold ${threshold} of ${md.keyGroups.length}): ${problems.join("; ")}`);
    }
    try {
      key = combine(parts);
    } catch {
      throw new AgeUnwrapError("could not combine the Shamir shares of the data key (corrupted key groups)");
    }
  } else {
    const r = results[0];
    if (!r?.part) throw new AgeUnwrapError(r?.problem ?? "no key groups");
    key = r.part;
  }
  if (key.length !== 32) throw new AgeUnwrapError("the decrypted data key is not 32 bytes (corrupted)");
  return key;
}

function verifyMac(md: SopsMetadata, key: Uint8Array, computed: string): void {
  let stored: unknown;
  try {
    stored = md.mac === "" ? "" : decryptValue(md.mac, key, macAdditionalData(md.lastModified));
  } catch {
    throw new MetadataError("MAC mismatch: the stored MAC cannot be decrypted (the file or its lastmodified was altered, or it is corrupted)");
  }
  if (stored !== computed) throw new MetadataError(md.mac === "" ? "MAC mismatch: the file has no MAC" : "MAC mismatch: the file was modified after it was encrypted (or is corrupted)");
}

/** Decrypts a loaded tree, verifying the MAC unless told not to. */
export async function decryptLoaded(loaded: Loaded, identities: string[], verify: boolean): Promise<Branch[]> {
  const key = await dataKey(loaded.metadata, identities);
  const computed = decryptBranches(loaded.branches, key, loaded.metadata);
  if (verify) verifyMac(loaded.metadata, key, computed);
  return loaded.branches;
}

/** Decrypts a whole sops file and prints it as `sops -d` does (optionally in another format, as `--output-type`). */
export async function decryptToFormat(text: string, inFormat: SopsFormat, outFormat: SopsFormat, identities: string[], subject: string): Promise<string> {
  checkIdentities(identities, subject);
  return guard(subject, async () => {
    const loaded = loadEncrypted(text, inFormat);
    const branches = await decryptLoaded(loaded, identities, true);
    return emitPlain(branches, outFormat);
  });
}

export async function decryptFile(text: string, format: SopsFormat, identities: string[], file: string): Promise<string> {
  return decryptToFormat(text, format, format, identities, file);
}

function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

export async function encryptFile(text: string, format: SopsFormat, opts: EncryptOptions, file: string): Promise<string> {
  return guard(file, async () => {
    const rules: CryptRules = {
      unencryptedSuffix: opts.unencryptedSuffix ?? "",
      encryptedSuffix: opts.encryptedSuffix ?? "",
      unencryptedRegex: opts.unencryptedRegex ?? "",
      encryptedRegex: opts.encryptedRegex ?? "",
      unencryptedCommentRegex: opts.unencryptedCommentRegex ?? "",
      encryptedCommentRegex: opts.encryptedCommentRegex ?? "",
      macOnlyEncrypted: opts.macOnlyEncrypted ?? false,
    };
    const set = [rules.unencryptedSuffix, rules.encryptedSuffix, rules.unencryptedRegex, rules.encryptedRegex, rules.unencryptedCommentRegex, rules.encryptedCommentRegex].filter((r) => r !== "");
    if (set.length > 1) throw new MetadataError("only one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex may be set");
    if (set.length === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
    const groups = opts.keyGroups && opts.keyGroups.length > 0 ? opts.keyGroups : [opts.recipients];
    if (groups.some((g) => g.length === 0)) throw new MetadataError("no age recipients given (every key group needs at least one)");
    const branches = loadPlain(text, format);
    const key = new Uint8Array(randomBytes(32));
    let parts: Uint8Array[] = [key];
    let threshold = 0;
    if (groups.length > 1) {
      threshold = opts.shamirThreshold ?? groups.length;
      if (threshold < 2 || threshold > groups.length) throw new MetadataError(`shamir threshold ${threshold} must be between 2 and the number of key groups (${groups.length})`);
      parts = split(key, groups.length, threshold);
    }
    const keyGroups: KeyGroup[] = await Promise.all(
      groups.map(async (g, i) => ({
        age: await Promise.all(g.map(async (recipient) => ({ recipient, enc: await wrapDataKey(parts[i] as Uint8Array, recipient) }))),
        otherKeyTypes: [],
      })),
    );
    const mac = encryptBranches(branches, key, rules);
    const lastModified = rfc3339Now();
    const md: SopsMetadata = {
      ...rules,
      keyGroups,
      usesKeyGroups: groups.length > 1,
      shamirThreshold: threshold,
      lastModified,
      mac: encryptValue(mac, key, lastModified),
      version: SOPS_VERSION,
    };
    return emitEncrypted(branches, md, format);
  });
}

export { guard };
