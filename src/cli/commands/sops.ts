/** `plumb sops encrypt|decrypt FILE`: sops-compatible encryption with age keys. */
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { errorMessage } from "../../core/errors.ts";
import { decryptFile, encryptFile, formatFromPath, hasSopsMetadata, parseAgeIdentities, type EncryptOptions, type SopsFormat } from "../../render/sops/index.ts";

export interface SopsIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const USAGE = `usage:
  plumb sops encrypt FILE [--age r1,r2] [--encrypted-regex RE | --unencrypted-regex RE | --encrypted-suffix S | --unencrypted-suffix S] [--mac-only-encrypted] [-i]
  plumb sops decrypt FILE [-i]
Recipients come from --age or the first matching creation_rule of the nearest .sops.yaml.
Keys for decryption come from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and $XDG_CONFIG_HOME/sops/age/keys.txt.
`;

class UsageError extends Error {}

const FORMATS = new Set(["yaml", "json", "dotenv", "ini", "binary"]);

function listOf(v: unknown): string[] {
  if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v)) return v.flatMap(listOf);
  return [];
}

interface CreationRule {
  recipients: string[];
  keyGroups?: string[][];
  shamirThreshold?: number;
  encryptedRegex?: string;
  unencryptedRegex?: string;
  encryptedSuffix?: string;
  unencryptedSuffix?: string;
  macOnlyEncrypted?: boolean;
}

function findConfig(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 100; i++) {
    for (const name of [".sops.yaml", ".sops.yml"]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

async function creationRule(file: string): Promise<CreationRule | undefined> {
  const config = findConfig(dirname(file));
  if (!config) return undefined;
  let doc: unknown;
  try {
    doc = parse(await readFile(config, "utf8"));
  } catch (err) {
    throw new Error(`${config}: invalid YAML (${errorMessage(err).split("\n")[0]})`);
  }
  const rules = (doc as { creation_rules?: unknown } | null)?.creation_rules;
  if (!Array.isArray(rules)) return undefined;
  const rel = relative(dirname(config), file).split(sep).join("/");
  for (const r of rules as Record<string, unknown>[]) {
    if (!r || typeof r !== "object") continue;
    const pathRegex = typeof r["path_regex"] === "string" ? r["path_regex"] : "";
    if (pathRegex) {
      let rx: RegExp;
      try {
        rx = new RegExp(pathRegex);
      } catch {
        throw new Error(`${config}: invalid path_regex ${JSON.stringify(pathRegex)}`);
      }
      if (!rx.test(rel)) continue;
    }
    const rule: CreationRule = { recipients: listOf(r["age"]) };
    if (Array.isArray(r["key_groups"])) rule.keyGroups = (r["key_groups"] as Record<string, unknown>[]).map((g) => listOf(g?.["age"]));
    if (typeof r["shamir_threshold"] === "number") rule.shamirThreshold = r["shamir_threshold"];
    for (const [k, f] of [["encrypted_regex", "encryptedRegex"], ["unencrypted_regex", "unencryptedRegex"], ["encrypted_suffix", "encryptedSuffix"], ["unencrypted_suffix", "unencryptedSuffix"]] as const) {
      if (typeof r[k] === "string") rule[f] = r[k];
    }
    if (r["mac_only_encrypted"] === true) rule.macOnlyEncrypted = true;
    return rule;
  }
  return undefined;
}

async function identitiesFrom(env: NodeJS.ProcessEnv): Promise<string[]> {
  const ids: string[] = [];
  const sources: string[] = [];
  if (env["SOPS_AGE_KEY"]) {
    ids.push(...parseAgeIdentities(env["SOPS_AGE_KEY"], "SOPS_AGE_KEY"));
    sources.push("SOPS_AGE_KEY");
  }
  const files: string[] = [];
  if (env["SOPS_AGE_KEY_FILE"]) files.push(env["SOPS_AGE_KEY_FILE"]);
  const configHome = env["XDG_CONFIG_HOME"] || join(env["HOME"] || homedir(), ".config");
  files.push(join(configHome, "sops", "age", "keys.txt"));
  for (const f of files) {
    if (!existsSync(f)) {
      if (f === env["SOPS_AGE_KEY_FILE"]) throw new Error(`SOPS_AGE_KEY_FILE ${f} does not exist`);
      continue;
    }
    ids.push(...parseAgeIdentities(await readFile(f, "utf8"), f));
    sources.push(f);
  }
  if (ids.length === 0) throw new Error("no age identities: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or create $XDG_CONFIG_HOME/sops/age/keys.txt");
  return ids;
}

function pickFormat(flag: string | undefined, file: string, name: string): SopsFormat {
  if (flag === undefined) return formatFromPath(file);
  if (!FORMATS.has(flag)) throw new UsageError(`--${name} must be one of yaml, json, dotenv, ini, binary`);
  return flag as SopsFormat;
}

export async function runSopsCommand(args: string[], io: SopsIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        age: { type: "string" },
        "in-place": { type: "boolean", short: "i" },
        "encrypted-regex": { type: "string" },
        "unencrypted-regex": { type: "string" },
        "encrypted-suffix": { type: "string" },
        "unencrypted-suffix": { type: "string" },
        "mac-only-encrypted": { type: "boolean" },
        "shamir-secret-sharing-threshold": { type: "string" },
        "input-type": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.stdout(USAGE);
      return 0;
    }
    const [verb, fileArg, ...extra] = positionals;
    if ((verb !== "encrypt" && verb !== "decrypt") || !fileArg || extra.length) throw new UsageError("expected: encrypt|decrypt FILE");
    const file = resolve(io.cwd, fileArg);
    const format = pickFormat(values["input-type"], file, "input-type");
    const text = await readFile(file, "utf8");
    let out: string;
    if (verb === "decrypt") {
      if (!hasSopsMetadata(text, format)) throw new Error(`${fileArg}: sops metadata not found (not encrypted?)`);
      out = await decryptFile(text, format, await identitiesFrom(io.env), fileArg);
    } else {
      if (hasSopsMetadata(text, format)) throw new Error(`${fileArg}: already encrypted`);
      const rule = values.age ? undefined : await creationRule(file);
      const recipients = values.age ? listOf(values.age) : (rule?.recipients ?? []);
      if (recipients.length === 0 && !rule?.keyGroups?.length) throw new Error(`${fileArg}: no age recipients: pass --age or add a matching creation_rule to .sops.yaml`);
      const opts: EncryptOptions = { recipients };
      if (rule?.keyGroups?.length && !values.age) opts.keyGroups = rule.keyGroups;
      const threshold = values["shamir-secret-sharing-threshold"] ?? rule?.shamirThreshold;
      if (threshold !== undefined) {
        const n = Number(threshold);
        if (!Number.isInteger(n)) throw new UsageError("--shamir-secret-sharing-threshold must be an integer");
        opts.shamirThreshold = n;
      }
      const pick = (flag: string | undefined, fromRule: string | undefined): string | undefined => flag ?? (values.age ? undefined : fromRule);
      const encryptedRegex = pick(values["encrypted-regex"], rule?.encryptedRegex);
      const unencryptedRegex = pick(values["unencrypted-regex"], rule?.unencryptedRegex);
      const encryptedSuffix = pick(values["encrypted-suffix"], rule?.encryptedSuffix);
      const unencryptedSuffix = pick(values["unencrypted-suffix"], rule?.unencryptedSuffix);
      if (encryptedRegex !== undefined) opts.encryptedRegex = encryptedRegex;
      if (unencryptedRegex !== undefined) opts.unencryptedRegex = unencryptedRegex;
      if (encryptedSuffix !== undefined) opts.encryptedSuffix = encryptedSuffix;
      if (unencryptedSuffix !== undefined) opts.unencryptedSuffix = unencryptedSuffix;
      if (values["mac-only-encrypted"] || rule?.macOnlyEncrypted) opts.macOnlyEncrypted = true;
      out = await encryptFile(text, format, opts, fileArg);
    }
    if (values["in-place"]) {
      const mode = (await stat(file)).mode & 0o777;
      await writeFile(file, out, { mode });
    } else io.stdout(out);
    return 0;
  } catch (err) {
    const msg = errorMessage(err).split("\n")[0] ?? "error";
    io.stderr(`plumb sops: ${msg}\n`);
    if (err instanceof UsageError || (err as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") io.stderr(USAGE);
    return 1;
  }
}
