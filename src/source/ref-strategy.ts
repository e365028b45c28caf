/**
 * Which Git reference a GitRepository follows, and the revision string Flux reports for it. Pure.
 *
 * Precedence follows fluxcd/pkg git/gogit Client.Clone, which source-controller uses:
 * commit > name > tag > semver > branch, defaulting to branch "master".
 * (The v1 docs list semver above tag; the code checks tag first, and the code is what users observe.)
 */
import type { GitRepositoryRef } from "../core/api-types.ts";

export const DEFAULT_BRANCH = "master";

export type RefStrategy =
  | { kind: "commit"; commit: string; branch?: string; name?: string }
  | { kind: "name"; name: string }
  | { kind: "tag"; tag: string }
  | { kind: "semver"; range: string }
  | { kind: "branch"; branch: string };

export function refStrategy(ref: GitRepositoryRef | undefined): RefStrategy {
  const r = ref ?? {};
  if (r.commit) {
    const s: RefStrategy = { kind: "commit", commit: r.commit };
    if (r.branch) s.branch = r.branch;
    if (r.name) s.name = r.name;
    return s;
  }
  if (r.name) return { kind: "name", name: r.name };
  if (r.tag) return { kind: "tag", tag: r.tag };
  if (r.semver) return { kind: "semver", range: r.semver };
  return { kind: "branch", branch: r.branch || DEFAULT_BRANCH };
}

/** For messages: `branch "main"`, `tag "v1"`, `semver ">=1"`, `ref "refs/pull/1/head"`, `commit "abc"`. */
export function describeStrategy(s: RefStrategy): string {
  switch (s.kind) {
    case "branch":
      return `branch "${s.branch}"`;
    case "tag":
      return `tag "${s.tag}"`;
    case "semver":
      return `semver "${s.range}"`;
    case "name":
      return `ref "${s.name}"`;
    case "commit":
      return s.branch ? `commit "${s.commit}" on branch "${s.branch}"` : `commit "${s.commit}"`;
  }
}

/**
 * Flux's artifact revision: `<short ref>@sha1:<hex>` (git.Commit.String), or for `ref.name` the full
 * ref name (git.Commit.AbsoluteReference). A bare commit is `sha1:<hex>`; with a branch, `<branch>@sha1:<hex>`.
 * `tag` is the tag chosen for a semver range.
 */
export function formatRevision(s: RefStrategy, sha: string, tag?: string): string {
  const digest = `${sha.length === 64 ? "sha256" : "sha1"}:${sha}`;
  switch (s.kind) {
    case "branch":
      return `${s.branch}@${digest}`;
    case "tag":
      return `${s.tag}@${digest}`;
    case "semver":
      return `${tag ?? s.range}@${digest}`;
    case "name":
      return `${s.name}@${digest}`;
    case "commit":
      if (!s.branch) return digest;
      // With ref.name also set, Flux reports the absolute reference of the branch.
      return s.name ? `refs/heads/${s.branch}@${digest}` : `${s.branch}@${digest}`;
  }
}

/** Why a branch/tag/ref name cannot be used in a refspec (git check-ref-format rules), or undefined. */
export function refNameProblem(name: string): string | undefined {
  if (name.startsWith("-")) return "must not start with '-'";
  if (name.startsWith("/") || name.endsWith("/")) return "must not begin or end with '/'";
  if (name.endsWith(".") || name.endsWith(".lock")) return "must not end with '.' or '.lock'";
  if (name.includes("..") || name.includes("//") || name.includes("@{")) return "must not contain '..', '//' or '@{'";
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return "contains a character git does not allow in ref names";
  if (name === "@") return "must not be '@'";
  return undefined;
}

/** A problem with the names in a strategy, or undefined when git can be asked about them. */
export function invalidRefName(s: RefStrategy): string | undefined {
  switch (s.kind) {
    case "branch":
      return refNameProblem(s.branch);
    case "tag":
      return refNameProblem(s.tag);
    case "name":
      if (s.name !== "HEAD" && !s.name.startsWith("refs/")) return "ref.name must be a full reference name such as refs/heads/main";
      return refNameProblem(s.name);
    case "commit":
      if (!/^[0-9a-fA-F]{4,64}$/.test(s.commit)) return "ref.commit must be a hexadecimal commit hash";
      return s.branch ? refNameProblem(s.branch) : undefined;
    case "semver":
      return undefined;
  }
}
