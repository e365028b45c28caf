/**
 * Which files of a checkout go into the artifact, as source-controller decides it. Pure.
 *
 * Flux: patterns = every `.sourceignore` (root first, then subdirectories depth-first in name order,
 * each scoped to its directory) followed by `spec.ignore` (highest priority). If that list is empty the
 * VCS and default exclusions apply; otherwise only the VCS exclusions plus the list — so a `.sourceignore`
 * or a `spec.ignore` replaces the defaults (fluxcd/source-controller storage.SourceIgnoreFilter).
 */
import { matchPattern, readPatterns, type IgnorePattern } from "./ignore-pattern.ts";

export const SOURCE_IGNORE_FILE = ".sourceignore";
export const EXCLUDE_VCS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];
export const EXCLUDE_EXT = ["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"];
export const EXCLUDE_CI = [".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml"];
export const EXCLUDE_EXTRA = ["**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"];

export interface IgnoreFile {
  /** Directory holding the file, relative to the repository root, as components ([] for the root). */
  dir: readonly string[];
  text: string;
}

/** Orders `.sourceignore` files as Flux loads them: root first, then each subdirectory depth-first by name. */
export function orderIgnoreFiles<T extends { dir: readonly string[] }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => compareComponents(a.dir, b.dir));
}

function compareComponents(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** A predicate saying whether a path (components relative to the root) is excluded from the artifact. */
export type IgnoreFilter = (path: readonly string[], isDir: boolean) => boolean;

export function buildIgnoreFilter(ignoreFiles: readonly IgnoreFile[], specIgnore: string | undefined): IgnoreFilter {
  const ps: IgnorePattern[] = [];
  for (const f of orderIgnoreFiles(ignoreFiles)) ps.push(...readPatterns(f.text, f.dir));
  if (specIgnore !== undefined) ps.push(...readPatterns(specIgnore));
  const vcs = EXCLUDE_VCS.map((p) => readPatterns(p)).flat();
  const all = ps.length > 0 ? [...vcs, ...ps] : [...vcs, ...[...EXCLUDE_EXT, ...EXCLUDE_CI, ...EXCLUDE_EXTRA].map((p) => readPatterns(p)).flat()];
  return (path, isDir) => {
    for (let i = all.length - 1; i >= 0; i--) {
      const r = matchPattern(all[i] as IgnorePattern, path, isDir);
      if (r !== "none") return r === "exclude";
    }
    return false;
  };
}
