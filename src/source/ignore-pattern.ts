/**
 * Gitignore-style patterns with the exact semantics Flux uses for `.sourceignore` and `spec.ignore`
 * (go-git's gitignore package as vendored in fluxcd/pkg/sourceignore). Pure.
 *
 * Notable differences from git itself, kept on purpose to match Flux:
 * - a pattern without a slash matches any path component (so `foo` excludes `foo/bar`);
 * - a pattern with a slash is anchored at its domain (the directory of the ignore file);
 * - a negated pattern can re-include a file below an excluded directory.
 */

export type MatchResult = "none" | "exclude" | "include";

export interface IgnorePattern {
  /** Directory the pattern belongs to, as path components ([] for the root). */
  readonly domain: readonly string[];
  readonly segments: readonly string[];
  readonly inclusion: boolean;
  readonly dirOnly: boolean;
  /** The pattern contains a slash: matched segment by segment from the domain. */
  readonly anchored: boolean;
}

/** Parses one pattern line (no comment or blank-line handling; see readPatterns). */
export function parsePattern(line: string, domain: readonly string[] = []): IgnorePattern {
  let p = line;
  let inclusion = false;
  if (p.startsWith("!")) {
    inclusion = true;
    p = p.slice(1);
  }
  if (!p.endsWith("\\ ")) p = p.replace(/ +$/, "");
  let dirOnly = false;
  if (p.endsWith("/")) {
    dirOnly = true;
    p = p.slice(0, -1);
  }
  return { domain: [...domain], segments: p.split("/"), inclusion, dirOnly, anchored: p.includes("/") };
}

/** Patterns from the text of an ignore file: one a line, `#` comments and blank lines skipped. */
export function readPatterns(text: string, domain: readonly string[] = []): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.startsWith("#") || line.trim() === "") continue;
    out.push(parsePattern(line, domain));
  }
  return out;
}

export function matchPattern(p: IgnorePattern, path: readonly string[], isDir: boolean): MatchResult {
  if (path.length <= p.domain.length) return "none";
  for (let i = 0; i < p.domain.length; i++) if (path[i] !== p.domain[i]) return "none";
  const rest = path.slice(p.domain.length);
  const ok = p.anchored ? anchoredMatch(p, rest, isDir) : nameMatch(p, rest, isDir);
  if (!ok) return "none";
  return p.inclusion ? "include" : "exclude";
}

function nameMatch(p: IgnorePattern, path: readonly string[], isDir: boolean): boolean {
  const glob = p.segments[0] ?? "";
  for (let i = 0; i < path.length; i++) {
    if (!globMatch(glob, path[i] ?? "")) continue;
    return !(p.dirOnly && !isDir && i === path.length - 1);
  }
  return false;
}

function anchoredMatch(p: IgnorePattern, pathIn: readonly string[], isDir: boolean): boolean {
  let path = pathIn;
  let matched = false;
  let traverse = false;
  const segs = p.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] ?? "";
    if (seg === "") {
      traverse = false;
      continue;
    }
    if (seg === "**") {
      if (i === segs.length - 1) break;
      traverse = true;
      continue;
    }
    if (seg.includes("**")) return false;
    if (path.length === 0) return false;
    if (traverse) {
      traverse = false;
      // Bounded by the path length: each iteration consumes one component.
      while (path.length > 0) {
        const head = path[0] ?? "";
        path = path.slice(1);
        if (globMatch(seg, head)) {
          matched = true;
          break;
        }
        if (path.length === 0) matched = false;
      }
    } else {
      if (!globMatch(seg, path[0] ?? "")) return false;
      matched = true;
      path = path.slice(1);
    }
  }
  if (matched && p.dirOnly && !isDir && path.length === 0) matched = false;
  return matched;
}

const globCache = new Map<string, RegExp | null>();

/** Go's path.Match for one path component: `*`, `?`, `[...]` (with `^` negation, ranges), `\` escapes. Malformed patterns match nothing. */
export function globMatch(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (re === undefined) {
    re = compileGlob(pattern);
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re !== null && re.test(name);
}

const esc = (ch: string): string => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;

function compileGlob(pattern: string): RegExp | null {
  const chars = Array.from(pattern);
  let out = "";
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === "*") {
      out += "[^/]*";
      i++;
    } else if (c === "?") {
      out += "[^/]";
      i++;
    } else if (c === "\\") {
      const next = chars[i + 1];
      if (next === undefined) return null;
      out += esc(next);
      i += 2;
    } else if (c === "[") {
      i++;
      let negate = false;
      if (chars[i] === "^") {
        negate = true;
        i++;
      }
      let cls = "";
      let count = 0;
      for (;;) {
        const ch = chars[i];
        if (ch === undefined) return null;
        if (ch === "]" && count > 0) {
          i++;
          break;
        }
        const lo = classChar(chars, i);
        if (!lo) return null;
        i = lo.next;
        if (chars[i] === "-") {
          const hi = classChar(chars, i + 1);
          if (!hi) return null;
          if ((hi.ch.codePointAt(0) ?? 0) < (lo.ch.codePointAt(0) ?? 0)) return null;
          i = hi.next;
          cls += `${esc(lo.ch)}-${esc(hi.ch)}`;
        } else {
          cls += esc(lo.ch);
        }
        count++;
      }
      out += negate ? `[^/${cls}]` : `[${cls}]`;
    } else {
      out += esc(c);
      i++;
    }
  }
  return new RegExp(`^${out}$`, "u");
}

function classChar(chars: readonly string[], i: number): { ch: string; next: number } | null {
  const c = chars[i];
  if (c === undefined || c === "-" || c === "]") return null;
  if (c === "\\") {
    const n = chars[i + 1];
    return n === undefined ? null : { ch: n, next: i + 2 };
  }
  return { ch: c, next: i + 1 };
}
