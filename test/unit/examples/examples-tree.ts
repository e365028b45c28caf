/** Helpers for the examples/ tests: walk the tree, parse its YAML, run the real kustomize. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const EXAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), "../../../examples");

export interface Doc {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Every .yaml/.yml file under examples/, relative to it, sorted; `.sops.yaml` (sops' configuration, not a manifest) is left out. */
export function yamlFiles(dir = EXAMPLES): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 10) throw new Error(`${d}: directory nesting deeper than 10`);
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (/\.ya?ml$/.test(e.name) && !/^\.sops\.ya?ml$/.test(e.name)) out.push(relative(dir, p));
    }
  };
  walk(dir, 0);
  return out.sort();
}

/** Parses one file under examples/; throws naming the file on a YAML error. */
export function parseFile(rel: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(join(EXAMPLES, rel), "utf8"));
  const out: Doc[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) throw new Error(`${rel}: invalid YAML: ${d.errors[0]?.message ?? ""}`);
    const js: unknown = d.toJS();
    if (js !== null && js !== undefined) out.push(js as Doc);
  }
  return out;
}

export function isKustomizeConfig(doc: Doc): boolean {
  return typeof doc.apiVersion === "string" && doc.apiVersion.startsWith("kustomize.config.k8s.io/");
}

/** `kubectl kustomize <examples/dir>`, parsed. */
export function kustomizeBuild(rel: string): Doc[] {
  const out = execFileSync("kubectl", ["kustomize", join(EXAMPLES, rel)], { encoding: "utf8", timeout: 60_000 });
  return parseAllDocuments(out).map((d) => d.toJS() as Doc);
}

export function countKinds(docs: Doc[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of docs) out[String(d.kind)] = (out[String(d.kind)] ?? 0) + 1;
  return out;
}
