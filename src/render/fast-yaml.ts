/**
 * A fast parse for the common YAML file: js-yaml (about ten times faster than the `yaml` package on manifests)
 * with the YAML 1.2 core schema resolved exactly as `yaml` resolves it, used only for text that holds none of
 * the constructs where parsers or kustomize part ways. Anything else, and any text js-yaml refuses, goes to
 * the `yaml` package (parseYamlFile), whose answer and error messages stay the reference. Pure.
 */
import jsyaml from "js-yaml";

const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown): jsyaml.Type =>
  new jsyaml.Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (s: string | null) => test.test(s ?? ""), construct: (s: string | null) => construct(s ?? "") });

// the `yaml` package's core schema: null, bool, int (octal 0o, decimal, hex 0x), float (.inf/.nan, exponent, plain);
// js-yaml keeps one implicit type per tag, so each tag's forms share one pattern
const CORE = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar("bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
    scalar("int", /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) => (s.startsWith("0o") ? parseInt(s.slice(2), 8) : s.startsWith("0x") ? parseInt(s.slice(2), 16) : parseInt(s, 10))),
    scalar("float", /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/, (s) => {
      if (/^(?:\.nan|\.NaN|\.NAN)$/.test(s)) return NaN;
      if (/inf$/i.test(s)) return s[0] === "-" ? -Infinity : Infinity;
      return parseFloat(s);
    }),
  ],
});

/**
 * Text the fast path may take: no anchor, alias, tag or directive indicator anywhere (`&`, `*`, `!`, a line
 * starting with `%`), no merge key (`<<`), no tab, carriage return or byte-order mark, no explicit key (`? `),
 * no null-looking key (the two parsers name it differently), and no scalar kustomize reads the YAML 1.1 way
 * (hasYaml11Scalars). Conservative: a `*` in a quoted string is enough to take the reference path.
 */
export function fastPathAllowed(text: string): boolean {
  return !hasYaml11Scalars(text) && !/[&*!\t\r\uFEFF]|<<|^%|^[ \t-]*\?(?:\s|$)|^[ -]*(?:~|null|Null|NULL)?\s*:(?:\s|$)/m.test(text);
}

/**
 * True when `text` may hold a plain scalar that kustomize's YAML reader (go-yaml, with YAML 1.1 habits) resolves
 * differently from the YAML 1.2 core schema: leading-zero octal (`defaultMode: 0644` is 420 there), binary,
 * signed hex or octal, digits with `_` separators, and timestamps (rewritten as RFC 3339). Such a file is not
 * plain: kustomize builds it. Conservative: the same characters later in a quoted string count too (right after the quote they do not).
 */
export function hasYaml11Scalars(text: string): boolean {
  return /(?<![\w.:/"'-])(?:[-+]?0[0-9]|[-+]?0b|[-+]0[xXoO]|[-+]?[0-9][0-9.]*_|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})/.test(text);
}

/** The documents of `text` (empty ones dropped), or undefined when the fast path does not apply or fails. */
export function fastParse(text: string): unknown[] | undefined {
  if (!fastPathAllowed(text)) return undefined;
  try {
    return jsyaml.loadAll(text, undefined, { schema: CORE }).filter((d) => d !== null && d !== undefined);
  } catch {
    return undefined;
  }
}
