/**
 * A small subset of the API server's CRD validation, enough to check our Flux CRDs:
 * structural-ness, and validating objects (type, required, enum, pattern, lengths, and
 * fields the server would prune as unknown).
 */
export type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
};

/** Paths of schema nodes that break the structural rules we rely on. */
export function structuralProblems(s: Schema, path = "", depth = 0): string[] {
  if (depth > 30) return [`${path}: schema nested deeper than 30`];
  const out: string[] = [];
  if (!s.type && !s["x-kubernetes-preserve-unknown-fields"]) out.push(`${path || "."}: no type`);
  if (s.properties && s.additionalProperties) out.push(`${path}: both properties and additionalProperties`);
  if (s.type === "array" && !s.items) out.push(`${path}: array without items`);
  for (const [k, v] of Object.entries(s.properties ?? {})) out.push(...structuralProblems(v, `${path}.${k}`, depth + 1));
  if (s.additionalProperties) out.push(...structuralProblems(s.additionalProperties, `${path}.*`, depth + 1));
  if (s.items) out.push(...structuralProblems(s.items, `${path}[]`, depth + 1));
  for (const r of s.required ?? []) if (!s.properties?.[r]) out.push(`${path}: required ${r} is not a property`);
  if (s.default !== undefined) out.push(...validate(s, s.default, `${path}(default)`));
  return out;
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** Errors for `value` against `s`, like the API server's messages: `<path>: <problem>`. */
export function validate(s: Schema, value: unknown, path = "", depth = 0): string[] {
  if (depth > 30) return [`${path}: value nested deeper than 30`];
  const t = typeOf(value);
  if (s.type && !(t === s.type || (s.type === "number" && t === "integer"))) return [`${path}: want ${s.type}, got ${t}`];
  const out: string[] = [];
  if (s.enum && !s.enum.includes(value)) out.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
  if (typeof value === "string") {
    if (s.pattern && !new RegExp(s.pattern).test(value)) out.push(`${path}: ${JSON.stringify(value)} does not match ${s.pattern}`);
    if (s.minLength !== undefined && value.length < s.minLength) out.push(`${path}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && value.length > s.maxLength) out.push(`${path}: longer than ${s.maxLength}`);
  }
  if (t === "object") {
    const obj = value as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in obj)) out.push(`${path}.${r}: Required value`);
    for (const [k, v] of Object.entries(obj)) {
      const child = s.properties?.[k] ?? s.additionalProperties;
      if (child) out.push(...validate(child, v, `${path}.${k}`, depth + 1));
      else if (!s["x-kubernetes-preserve-unknown-fields"] && s.properties) out.push(`${path}.${k}: unknown field (would be pruned)`);
    }
  }
  if (t === "array" && s.items) (value as unknown[]).forEach((v, i) => out.push(...validate(s.items as Schema, v, `${path}[${i}]`, depth + 1)));
  return out;
}
