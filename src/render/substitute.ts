/**
 * Flux's postBuild variable substitution, strict: `${var}`, `${var:=default}`, `${var:-default}`,
 * `${var=default}`, `${var-default}`; `$${var}` is an escape for a literal `${var}`.
 * An unset variable without a default is an error. Bare `$var` is left alone. Pure.
 */
const VAR_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export class SubstitutionError extends Error {}

export function validateVariableNames(vars: Record<string, string>): void {
  for (const name of Object.keys(vars)) {
    if (!VAR_NAME.test(name)) throw new SubstitutionError(`variable name "${name}" is invalid: it must match ${VAR_NAME.source}`);
  }
}

export function substitute(text: string, vars: Record<string, string>, subject: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    if (text.startsWith("$${", dollar)) {
      const end = text.indexOf("}", dollar + 3);
      if (end < 0) { out += text.slice(dollar); break; }
      out += text.slice(dollar + 1, end + 1); // drop one `$`
      i = end + 1;
      continue;
    }
    if (text[dollar + 1] !== "{") {
      out += "$";
      i = dollar + 1;
      continue;
    }
    const end = text.indexOf("}", dollar + 2);
    if (end < 0) {
      out += text.slice(dollar);
      break;
    }
    const expr = text.slice(dollar + 2, end);
    const m = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[=-])(.*))?$/s.exec(expr);
    if (!m) {
      out += text.slice(dollar, end + 1);
      i = end + 1;
      continue;
    }
    const name = m[1] as string;
    const op = m[2];
    const def = m[3] ?? "";
    const value = vars[name];
    if (op === undefined) {
      if (value === undefined) throw new SubstitutionError(`${subject}: variable "${name}" is not set and has no default (strict substitution)`);
      out += value;
    } else if (op.startsWith(":")) {
      out += value === undefined || value === "" ? def : value;
    } else {
      out += value === undefined ? def : value;
    }
    i = end + 1;
  }
  return out;
}
