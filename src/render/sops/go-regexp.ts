/** Go (RE2) regular expressions as sops' encrypted_regex & co. use them, mapped onto ES regexps. */

const cache = new Map<string, RegExp>();

export class GoRegExpError extends Error {}

export function goRegExp(source: string): RegExp {
  let rx = cache.get(source);
  if (rx) return rx;
  let flags = "u";
  let body = source;
  // RE2 allows leading flag groups such as (?i) or (?s); ES only takes flags outside the pattern.
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    for (const f of m[1] ?? "") if (f === "i" || f === "m" || f === "s") flags += f;
  }
  body = body.replace(/\\A/g, "^").replace(/\\z/g, "$");
  try {
    rx = new RegExp(body, flags);
  } catch (err) {
    throw new GoRegExpError(`invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  cache.set(source, rx);
  return rx;
}
