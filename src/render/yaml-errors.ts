/**
 * YAML errors as the render reports them: the file, the line where the problem starts, and a one-line message.
 * The `yaml` package reports an unclosed quoted string where it gave up (the end of the file); the line that
 * matters is the one where the quote opens. Pure.
 */
import { Lexer, type YAMLError } from "yaml";

/** Control tokens of the yaml lexer that are not text of the source (document start, flow error end, scalar). */
const CONTROL_TOKENS = new Set(["\x02", "\x18", "\x1f"]);

const closedDouble = /^"(?:[^"\\]|\\[\s\S])*"$/;
const closedSingle = /^'(?:[^']|'')*'$/;

/** 1-based line of the first quoted scalar of `text` that is never closed, if any. */
export function unclosedQuoteLine(text: string): number | undefined {
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    const quote = token[0];
    if ((quote === '"' && !closedDouble.test(token)) || (quote === "'" && !closedSingle.test(token))) {
      return text.slice(0, offset).split("\n").length;
    }
    offset += token.length;
  }
  return undefined;
}

/** `<line>: <message>` parts of a YAML syntax error in `text`. */
export function describeYamlError(text: string, e: YAMLError | undefined): { line: number | undefined; message: string } {
  const message = (e?.message ?? "").split("\n")[0] ?? "";
  if (e?.code === "MISSING_CHAR" && /closing ["']quote/.test(message)) {
    const quote = /closing "/.test(message) ? '"' : "'";
    const line = unclosedQuoteLine(text);
    if (line !== undefined) return { line, message: `the ${quote === '"' ? "double" : "single"}-quoted string that starts here is never closed` };
  }
  return { line: e?.linePos?.[0]?.line, message: message.replace(/ at line \d+, column \d+:?$/, "") };
}

/** The `yaml` package's refusal of a document whose aliases expand too far (a "billion laughs" bomb). */
export function isAliasBomb(err: unknown): boolean {
  return err instanceof ReferenceError && /alias count/i.test(err.message);
}

export const ALIAS_BOMB_MESSAGE = "refused: its YAML aliases expand too far (a resource exhaustion attack, \"billion laughs\")";

/** The `yaml` package's error for an alias with no anchor before it, as a message and the alias's first line. */
export function unresolvedAlias(text: string, err: unknown): { line: number | undefined; message: string } | undefined {
  if (!(err instanceof ReferenceError)) return undefined;
  const name = /^Unresolved alias[^:]*: (.+)$/.exec(err.message)?.[1];
  if (name === undefined) return undefined;
  const at = text.indexOf(`*${name}`);
  return { line: at >= 0 ? text.slice(0, at).split("\n").length : undefined, message: `alias *${name} has no anchor &${name} before it` };
}
