/** Reading, generating and amending kustomization.yaml files the way Flux's kustomize-controller does. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, posix, relative } from "node:path";
import { isAlias, parseAllDocuments, parseDocument, visit, type Document, type YAMLError } from "yaml";
import { BuildError } from "../core/errors.ts";
import type { KustomizationSpec } from "../core/api-types.ts";
import { markPlain } from "./direct-build.ts";
import { fastParse, hasYaml11Scalars } from "./fast-yaml.ts";
import { NO_REFUSED_LINKS, refusedLinkError, type RefusedLink, type RefusedLinks } from "./refused-links.ts";
import { isRenderDirName } from "./render-dir.ts";
import { ALIAS_BOMB_MESSAGE, describeYamlError, isAliasBomb, unresolvedAlias } from "./yaml-errors.ts";

export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export function findKustomizationFile(dir: string): string | undefined {
  for (const f of KUSTOMIZATION_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function yamlError(rel: string, text: string, e: YAMLError | undefined): BuildError {
  const { line, message } = describeYamlError(text, e);
  return new BuildError(`${rel}${line ? `:${line}` : ""}: invalid YAML: ${message}`, rel);
}

/** A document's value; aliases that expand too far, or that name no anchor, fail naming the file. */
function toJS(doc: Document, rel: string, text: string): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    if (isAliasBomb(err)) throw new BuildError(`${rel}: ${ALIAS_BOMB_MESSAGE}`, rel);
    const unresolved = unresolvedAlias(text, err);
    if (unresolved) throw new BuildError(`${rel}${unresolved.line ? `:${unresolved.line}` : ""}: invalid YAML: ${unresolved.message}`, rel);
    throw err;
  }
}

/** Parses a YAML file strictly; a syntax error names the file and the line where it starts. */
export function parseYamlFile(file: string, root: string): unknown[] {
  const rel = relative(root, file);
  const text = readFileSync(file, "utf8");
  const fast = fastParse(text); // only for text without anchors, aliases, tags, directives or merge keys: plain
  if (fast) {
    markPlain(fast);
    return fast;
  }
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const out: unknown[] = [];
  // plain: no directive, anchor, alias, explicit tag, merge key (`<<`) or YAML 1.1-style scalar, which kustomize
  // would resolve and rewrite (direct-build.ts)
  let plain = !text.startsWith("\uFEFF") && !text.includes("<<") && !hasYaml11Scalars(text);
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length) throw yamlError(rel, text, doc.errors[0]);
    if (doc.directives?.yaml.explicit) plain = false;
    if (plain) {
      visit(doc, (_key, node) => {
        if (isAlias(node) || (node as { anchor?: string }).anchor || (node as { tag?: string }).tag) {
          plain = false;
          return visit.BREAK;
        }
        return undefined;
      });
    }
    const js = toJS(doc, rel, text);
    if (js !== null && js !== undefined) out.push(js);
  }
  if (plain) markPlain(out);
  return out;
}

function isManifest(doc: unknown): boolean {
  return !!doc && typeof doc === "object" && "apiVersion" in doc && "kind" in doc;
}

const YAML_EXTENSIONS = [".yaml", ".yml"];

/**
 * Flux's generator: every YAML file under `dir` (the preflight then fails the build on one that is not entirely
 * Kubernetes objects, as Flux's generator fails to decode it: leaving it out would prune what it held); a
 * sub-folder with its own kustomization file counts as one resource and is not descended into. A `.json` file
 * (which Flux does not read) counts only when it holds Kubernetes objects. A symlink the staged copy refused
 * (`links`) that could be a YAML file or a folder fails the build naming it. Other renders' private directories
 * (render-dir.ts) are not part of the tree.
 */
export function generateResources(dir: string, root: string, parse: (file: string, root: string) => unknown[] = parseYamlFile, links: RefusedLinks = NO_REFUSED_LINKS): string[] {
  const resources: string[] = [];
  const refusedIn = (d: string): [string, RefusedLink][] => {
    const relDir = relative(root, d).split("\\").join("/");
    return [...links].filter(([p]) => posix.dirname(p) === (relDir || "."));
  };
  const walk = (d: string): void => {
    for (const [p, link] of refusedIn(d)) {
      const ext = extname(p).toLowerCase();
      if (ext === "" || YAML_EXTENSIONS.includes(ext) || ext === ".json") throw refusedLinkError("", p, link);
    }
    const entries = readdirSync(d).filter((n) => !isRenderDirName(n)).sort();
    for (const name of entries) {
      const p = join(d, name);
      const st = statSync(p);
      const ext = extname(name).toLowerCase();
      if (st.isDirectory()) {
        if (findKustomizationFile(p)) resources.push(relative(dir, p));
        else walk(p);
      } else if (YAML_EXTENSIONS.includes(ext)) {
        if (parse(p, root).length) resources.push(relative(dir, p));
      } else if (ext === ".json") {
        const docs = parse(p, root);
        if (docs.length && docs.every(isManifest)) resources.push(relative(dir, p));
      }
    }
  };
  walk(dir);
  return resources;
}

/** Amends a kustomization document with the Kustomization spec's build fields. Pure. */
export function amendKustomization(k: Record<string, unknown>, spec: KustomizationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { ...k };
  out["apiVersion"] ??= "kustomize.config.k8s.io/v1beta1";
  out["kind"] ??= "Kustomization";
  if (spec.targetNamespace) out["namespace"] = spec.targetNamespace;
  if (spec.namePrefix) out["namePrefix"] = spec.namePrefix + ((k["namePrefix"] as string | undefined) ?? "");
  if (spec.nameSuffix) out["nameSuffix"] = ((k["nameSuffix"] as string | undefined) ?? "") + spec.nameSuffix;
  if (spec.patches?.length) out["patches"] = [...((k["patches"] as unknown[] | undefined) ?? []), ...spec.patches.map((p) => ({ patch: p.patch, ...(p.target ? { target: p.target } : {}) }))];
  if (spec.images?.length) out["images"] = [...((k["images"] as unknown[] | undefined) ?? []), ...spec.images];
  if (spec.components?.length) out["components"] = [...((k["components"] as unknown[] | undefined) ?? []), ...spec.components];
  return out;
}

export function readKustomization(file: string, root: string): Record<string, unknown> {
  const rel = relative(root, file);
  const text = readFileSync(file, "utf8");
  const parsed = parseDocument(text, { prettyErrors: true });
  if (parsed.errors.length) throw yamlError(rel, text, parsed.errors[0]);
  const doc = toJS(parsed, rel, text);
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new BuildError(`${rel}: a kustomization must be a YAML mapping`, rel);
  return doc as Record<string, unknown>;
}
