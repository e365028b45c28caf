/**
 * The preflight before kustomize runs: every local path any reachable kustomization refers to stays inside the
 * repository and exists, and every YAML resource parses as Kubernetes objects (errors name the file and line).
 */
import { existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BuildError, PlumbError } from "../core/errors.ts";
import { checkManifest } from "./build-output.ts";
import { findKustomizationFile, readKustomization, referencedPaths } from "./kustomization-file.ts";
import { isInside, isRemoteReference } from "./safe-path.ts";

/**
 * Checks the tree reachable from `dir`, whose kustomization is `top` (the amended or generated document, which
 * is not on disk at `top.file`). `parse` reads a YAML file into documents (memoized by the caller).
 */
export function checkTree(dir: string, root: string, top: { doc: Record<string, unknown>; file: string }, parse: (file: string, root: string) => unknown[]): void {
  const seen = new Set<string>();
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
      if (!found) return;
      kfile = found;
      k = readKustomization(kfile, root);
    }
    const relK = relative(root, kfile);
    const { resources, files } = referencedPaths(k);
    for (const ref of [...resources, ...files]) {
      if (isRemoteReference(ref)) continue;
      const target = join(kdir, ref);
      if (!isInside(root, target)) throw new PlumbError("InvalidPath", `${relK}: "${ref}" leaves the repository`);
      if (!existsSync(target)) throw new BuildError(`${relK}: "${ref}" not found`, relK);
    }
    for (const ref of resources) {
      if (isRemoteReference(ref)) continue;
      const target = join(kdir, ref);
      if (statSync(target).isDirectory()) visit(target);
      else {
        const docs = parse(target, root);
        docs.forEach((d, i) => checkManifest(d, `${relative(root, target)}${docs.length > 1 ? ` (document ${i + 1})` : ""}`));
      }
    }
  };
  visit(dir);
}
