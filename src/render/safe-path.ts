/** Keeps every path a render touches inside the repository root. */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";

export function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Resolves `path` under `root` (following symlinks) and refuses anything that leaves it. */
export function resolveInside(root: string, path: string, subject: string): string {
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, path.replace(/^\/+/, ""));
  if (!isInside(realRoot, target)) throw new PathEscapeError(`${subject}: path "${path}" leaves the repository`);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return target; // missing: the caller reports it
  }
  if (!isInside(realRoot, real)) throw new PathEscapeError(`${subject}: path "${path}" resolves through a symlink outside the repository`);
  return real;
}

export class PathEscapeError extends Error {}

export function isRemoteReference(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith("git@") || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(ref);
}
