/**
 * The preflight before kustomize runs: every local path any reachable kustomization refers to (every field of
 * kustomization-refs.ts, plugin configurations included) is relative, stays inside the repository on its real
 * path, does not go through a symlink the staged copy refused, and exists; every YAML resource parses as
 * Kubernetes objects (errors name the file and line). kustomize runs with `--load-restrictor
 * LoadRestrictionsNone`, so this is what keeps a build from reading files of the machine running Plumbline.
 */
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { BuildError, PlumbError } from "../core/errors.ts";
import { checkManifest } from "./build-output.ts";
import { findKustomizationFile, readKustomization } from "./kustomization-file.ts";
import { inlinePluginConfigs, kustomizationRefs, pluginConfigRefs, type PathRef } from "./kustomization-refs.ts";
import { NO_REFUSED_LINKS, refusedLinkError, refusedLinkOn, type RefusedLinks } from "./refused-links.ts";
import { isInside, isRemoteReference } from "./safe-path.ts";
import { parse as parseYaml } from "yaml";

export interface TreeView {
  /** Real path of the repository root (a staged or private copy). */
  root: string;
  /** Reads a YAML file into documents (memoized by the caller). */
  parse: (file: string, root: string) => unknown[];
  /** Symlinks of the source the copy left out (copy-tree.ts). */
  links?: RefusedLinks;
}

/** Where a reference points: its absolute path in the copy, or undefined when it does not exist. */
interface Located {
  path: string;
  exists: boolean;
}

/**
 * Resolves one reference of the kustomization `relK` in `kdir`: refuses absolute paths (even when the same path
 * joined under the folder exists), paths leaving the root lexically or on their real path, and paths through a
 * refused symlink (named as a symlink, with what it points to).
 */
export function locateRef(view: TreeView, kdir: string, relK: string, ref: PathRef): Located {
  const { root } = view;
  const at = `${relK}: ${ref.field} "${ref.ref}"`;
  if (isAbsolute(ref.ref)) throw new PlumbError("InvalidPath", `${at} is an absolute path; paths in a kustomization are relative to it and must stay inside the repository`);
  const target = resolve(kdir, ref.ref);
  if (!isInside(root, target)) throw new PlumbError("InvalidPath", `${at} leaves the repository`);
  const link = refusedLinkOn(view.links ?? NO_REFUSED_LINKS, relative(root, target));
  if (link) throw refusedLinkError(`${at}: `, link.path, link.link);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return { path: target, exists: false };
  }
  if (!isInside(root, real)) throw new PlumbError("InvalidPath", `${at} resolves outside the repository`);
  return { path: real, exists: true };
}

/**
 * Checks the tree reachable from `dir`, whose kustomization is `top` (the amended or generated document, which
 * is not on disk at `top.file`). A generated kustomization lists every YAML file of its folder (as Flux's
 * does), so a file there that is not entirely Kubernetes objects fails the build, naming it and what it lacks.
 */
export function checkTree(dir: string, view: TreeView, top: { doc: Record<string, unknown>; file: string; generated?: boolean }): void {
  const { root } = view;
  const seen = new Set<string>();
  const rel = (p: string): string => relative(root, p) || ".";

  const manifests = (file: string, generated: boolean): void => {
    const docs = view.parse(file, root);
    const hint = generated ? ` (${rel(dir)} has no kustomization file, so every .yaml/.yml file under it must hold only Kubernetes objects, as with Flux)` : "";
    docs.forEach((d, i) => {
      try {
        checkManifest(d, `${rel(file)}${docs.length > 1 ? ` (document ${i + 1})` : ""}`);
      } catch (err) {
        if (err instanceof BuildError && hint) throw new BuildError(`${err.message}${hint}`, err.file);
        throw err;
      }
    });
  };

  /** Path fields of plugin configurations, resolved from the kustomization that lists the plugin. */
  const pluginConfigs = (docs: unknown[], field: string, kdir: string, relK: string): void => {
    for (const d of docs) for (const r of pluginConfigRefs(d, field)) need(kdir, relK, r);
  };

  /** The documents a plugin directory's kustomization produces from its resource files (for their path fields). */
  const pluginDirDocs = (pdir: string, walked = new Set<string>()): unknown[] => {
    const out: unknown[] = [];
    const kfile = findKustomizationFile(pdir);
    if (!kfile || walked.has(pdir)) return out; // a cycle is kustomize's to report
    walked.add(pdir);
    for (const r of kustomizationRefs(readKustomization(kfile, root))) {
      if (r.role !== "resource" || isRemoteReference(r.ref)) continue;
      const at = locateRef(view, pdir, rel(kfile), r);
      if (!at.exists) continue; // reported by visit
      if (statSync(at.path).isDirectory()) out.push(...pluginDirDocs(at.path, walked));
      else out.push(...view.parse(at.path, root));
    }
    return out;
  };

  const need = (kdir: string, relK: string, r: PathRef): Located | undefined => {
    if (isRemoteReference(r.ref)) return undefined;
    const at = locateRef(view, kdir, relK, r);
    if (!at.exists && r.role !== "location") throw new BuildError(`${relK}: ${r.field} "${r.ref}" not found`, relK);
    return at;
  };

  const visit = (kdir: string): void => {
    if (seen.has(kdir)) return;
    seen.add(kdir);
    let k: Record<string, unknown>;
    let kfile: string;
    if (kdir === dir) {
      k = top.doc;
      kfile = top.file;
    } else {
      const found = findKustomizationFile(kdir);
      if (!found) return; // kustomize reports a directory without a kustomization itself
      kfile = found;
      k = readKustomization(kfile, root);
    }
    const relK = rel(kfile);
    const refs = kustomizationRefs(k);
    const located = refs.map((r) => ({ r, at: need(kdir, relK, r) }));
    for (const { r, at } of located) {
      if (!at) continue;
      const isDir = statSync(at.path, { throwIfNoEntry: false })?.isDirectory() ?? false;
      if (r.role === "resource") {
        if (isDir) visit(at.path);
        else manifests(at.path, kdir === dir && top.generated === true);
      } else if (r.role === "plugin") {
        if (isDir) {
          visit(at.path);
          pluginConfigs(pluginDirDocs(at.path), r.field, kdir, relK);
        } else pluginConfigs(view.parse(at.path, root), r.field, kdir, relK);
      }
    }
    for (const { field, text } of inlinePluginConfigs(k)) {
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch {
        continue; // kustomize reports invalid inline YAML itself
      }
      pluginConfigs([doc], field, kdir, relK);
    }
  };
  visit(dir);
}
