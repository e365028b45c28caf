/**
 * Symlinks of a source tree that a render does not follow: those leaving the repository, those pointing at
 * nothing, and loops. The staged copy leaves them out (copy-tree.ts) and keeps this record instead, so a
 * kustomization, a generated kustomization or spec.path that uses one fails naming the link and what it points
 * to (the link text as committed; the target itself is never read). Pure.
 */
import { posix } from "node:path";
import { BuildError, PlumbError } from "../core/errors.ts";

export type RefusedWhy = "outside" | "missing" | "loop";

export interface RefusedLink {
  /** The link text as committed. */
  target: string;
  why: RefusedWhy;
}

/** Refused links by path relative to the repository root, slash-separated. */
export type RefusedLinks = ReadonlyMap<string, RefusedLink>;

export const NO_REFUSED_LINKS: RefusedLinks = new Map();

/** The refused link at `rel` (relative to the root) or at one of its parent directories, nearest the root first. */
export function refusedLinkOn(links: RefusedLinks, rel: string): { path: string; link: RefusedLink } | undefined {
  if (links.size === 0) return undefined;
  const parts = posix.normalize(rel.split("\\").join("/")).split("/").filter((p) => p !== "" && p !== ".");
  for (let i = 1; i <= parts.length; i++) {
    const path = parts.slice(0, i).join("/");
    const link = links.get(path);
    if (link) return { path, link };
  }
  return undefined;
}

/** `x.yaml is a symlink to "/etc/x", outside the repository (...)` (and the like for the other cases). */
export function describeRefusedLink(path: string, link: RefusedLink): string {
  const why = link.why === "outside" ? "outside the repository (only symlinks inside the repository are followed)"
    : link.why === "missing" ? "which does not exist in the repository (or is left out of the artifact by ignore rules)"
      : "a directory holding it (a symlink loop)";
  return `${path} is a symlink to "${link.target}", ${why}`;
}

/** The error for a use of a refused link: InvalidPath for one leaving the repository, a build error (naming the link) otherwise. */
export function refusedLinkError(prefix: string, path: string, link: RefusedLink): PlumbError {
  const message = `${prefix}${describeRefusedLink(path, link)}`;
  return link.why === "outside" ? new PlumbError("InvalidPath", message) : new BuildError(message, path);
}
