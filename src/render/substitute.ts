/**
 * Flux's postBuild variable substitution, strict: `${var}`, `${var:=default}`, `${var:-default}`,
 * `${var=default}`, `${var-default}`; `$${var}` is an escape for a literal `${var}`.
 * An unset variable without a default is an error, and so is an expression Flux cannot parse either (an unclosed
 * `${var`, `${` without a variable name, an operator Plumbline does not support). Bare `$var` is left alone. Pure.
 */
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export class SubstitutionError extends Error {}

export function validateVariableNames(vars: Record<string, string>): void {
  for (const name of Object.keys(vars)) {
    if (!VAR_NAME.test(name)) throw new SubstitutionError(`variable name "${name}" is invalid: it must match ${VAR_NAME.source}`);
  }
}

export function substitute(text: string, vars: Record<string, string>, subject: string): string {
  const p = new Parser(text, vars, subject);
  return p.text();
}

/**
 * What Flux's envsubst (strict) does, for the operators Plumbline supports: `${` starts an expression that must be
 * a variable name followed by `}` or a default operator; anything else is an error (Flux: "unable to parse variable
 * name", "missing closing brace"), never text applied as is. `$$` before `{` escapes it.
 */
class Parser {
  private i = 0;
  private readonly src: string;
  private readonly vars: Record<string, string>;
  private readonly subject: string;
  constructor(src: string, vars: Record<string, string>, subject: string) {
    this.src = src;
    this.vars = vars;
    this.subject = subject;
  }

  /** Top level: text with expressions, to the end. */
  text(): string {
    let out = "";
    const s = this.src;
    while (this.i < s.length) {
      const dollar = s.indexOf("$", this.i);
      if (dollar < 0) {
        out += s.slice(this.i);
        break;
      }
      out += s.slice(this.i, dollar);
      if (s.startsWith("$${", dollar)) {
        out += "${"; // the escape: one `$` dropped, the rest is text
        this.i = dollar + 3;
      } else if (s.startsWith("${", dollar)) {
        out += this.expression(dollar);
      } else {
        out += "$"; // a bare `$var` stays
        this.i = dollar + 1;
      }
    }
    return out;
  }

  /** `${...}` starting at `start`; leaves `i` after its closing brace. */
  private expression(start: number): string {
    const s = this.src;
    const name = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(s.slice(start + 2, start + 2 + 256))?.[0];
    if (!name) this.fail(start, "unable to parse variable name");
    let j = start + 2 + name.length;
    const value = this.vars[name];
    if (s[j] === "}") {
      this.i = j + 1;
      if (value === undefined) throw new SubstitutionError(`${this.subject}: variable "${name}" is not set and has no default (strict substitution)`);
      return value;
    }
    const op = /^(:=|:-|=|-)/.exec(s.slice(j, j + 2))?.[0];
    if (!op) {
      if (j >= s.length || !/^[:?+,^/#%]/.test(s[j] ?? "")) this.fail(start, "missing closing brace");
      this.fail(start, `unsupported operator "${s.slice(j, j + 2)}" (Plumbline supports :=, :-, = and -)`);
    }
    j += op.length;
    // the default runs to the matching `}`; it may hold `${...}` expressions of its own
    let def = "";
    while (j < s.length && s[j] !== "}") {
      if (s.startsWith("$${", j)) {
        def += "${";
        j += 3;
      } else if (s.startsWith("${", j)) {
        this.i = j;
        def += this.expression(j);
        j = this.i;
      } else {
        def += s[j];
        j++;
      }
    }
    if (j >= s.length) this.fail(start, "missing closing brace");
    this.i = j + 1;
    if (op.startsWith(":")) return value === undefined || value === "" ? def : value;
    return value === undefined ? def : value;
  }

  private fail(start: number, what: string): never {
    const line = this.src.slice(0, start).split("\n").length;
    const snippet = this.src.slice(start, start + 40).split("\n")[0] ?? "";
    throw new SubstitutionError(`${this.subject}: variable substitution failed: ${what} at "${snippet}" (line ${line} of the object's YAML)`);
  }
}
