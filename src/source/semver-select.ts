/**
 * Picking the tag for `spec.ref.semver`, as Flux does with Masterminds semver. Pure.
 *
 * Tags count when they are strict semver versions, optionally with a leading `v` (fluxcd/pkg version.ParseVersion).
 * The highest version satisfying the range wins; equal versions (differing only in build metadata, or `v1.0.0`
 * next to `1.0.0`) are ordered by the commit time of their target, the newest winning.
 * Masterminds ranges are translated to npm ranges: `,` means AND, `=<` is `<=`, `~>` is `~`, `!=` is handled here.
 */
import semver from "semver";

export interface TagInfo {
  name: string;
  /** Commit time of the tag's target, in seconds since the epoch. */
  commitTime: number;
}

export interface SemverConstraint {
  readonly source: string;
  readonly groups: readonly { range: string; notEqual: readonly semver.SemVer[] }[];
}

/** Parses a Masterminds-style range; throws an Error naming the range when it is invalid. */
export function parseConstraint(range: string): SemverConstraint {
  const groups = range.split("||").map((g) => {
    const notEqual: semver.SemVer[] = [];
    let rest = g.replace(/!=\s*([^\s,]+)/g, (_m, v: string) => {
      const parsed = semver.parse(v.replace(/^v/, "")) ?? semver.coerce(v);
      if (!parsed) throw new Error(`semver "${range}": invalid version "${v}"`);
      notEqual.push(parsed);
      return " ";
    });
    rest = rest.replace(/,/g, " ").replace(/=</g, "<=").replace(/~>/g, "~").trim();
    if (rest === "") rest = "*";
    if (semver.validRange(rest) === null) throw new Error(`semver "${range}": invalid range`);
    return { range: rest, notEqual };
  });
  if (range.trim() === "") throw new Error(`semver "${range}": empty range`);
  return { source: range, groups };
}

/** A tag name as a version, or null when it is not strict semver (a leading `v` allowed). */
export function tagVersion(tag: string): semver.SemVer | null {
  const bare = tag.startsWith("v") ? tag.slice(1) : tag;
  if (!/^\d/.test(bare)) return null;
  return semver.parse(bare, { loose: false });
}

export function satisfies(c: SemverConstraint, v: semver.SemVer): boolean {
  return c.groups.some((g) => semver.satisfies(v, g.range) && g.notEqual.every((n) => semver.compare(v, n) !== 0));
}

/** The tag Flux would choose, or undefined when none satisfies the range. */
export function selectSemverTag(tags: readonly TagInfo[], range: string): string | undefined {
  const c = parseConstraint(range);
  const matched: { tag: TagInfo; v: semver.SemVer }[] = [];
  for (const tag of tags) {
    const v = tagVersion(tag.name);
    if (v && satisfies(c, v)) matched.push({ tag, v });
  }
  matched.sort((a, b) => semver.compare(a.v, b.v) || a.tag.commitTime - b.tag.commitTime || (a.tag.name < b.tag.name ? -1 : a.tag.name > b.tag.name ? 1 : 0));
  return matched.at(-1)?.tag.name;
}
