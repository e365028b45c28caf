/**
 * Every local path a kustomization can make kustomize read, with the field it came from, for the preflight's
 * confinement checks (check-tree.ts). kustomize runs with `--load-restrictor LoadRestrictionsNone` (as Flux
 * does, so overlays may use `../` files), so these checks are what keeps a build inside the repository. Pure.
 *
 * Roles: a `resource` is a file of objects, a directory holding a kustomization, or a remote reference; a
 * `file` is read as is and must exist; a `location` is a directory kustomize may create or look in (helm's
 * chartHome) and only has to stay inside; a `plugin` is a transformer, generator or validator entry: a file of
 * builtin plugin configurations or a directory whose kustomization produces them, whose own path fields are
 * checked too (pluginConfigRefs).
 */

export type RefRole = "resource" | "file" | "location" | "plugin";

export interface PathRef {
  /** The field as written in the kustomization, e.g. `configMapGenerator[0].files`. */
  field: string;
  ref: string;
  role: RefRole;
}

type Doc = Record<string, unknown>;

const isMap = (v: unknown): v is Doc => !!v && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === "string");

/** `key=path` (or `path`) of a generator's `files` entry: the path. */
export function generatorFilePath(entry: string): string {
  const eq = entry.indexOf("=");
  return eq >= 0 ? entry.slice(eq + 1) : entry;
}

/** Inline YAML (a patch or plugin config written in place) rather than a path. */
const isInline = (s: string): boolean => s.includes("\n");

/** Path fields of a generator (configMapGenerator/secretGenerator entry or the builtin plugin configs). */
function generatorRefs(g: Doc, field: string, out: PathRef[]): void {
  for (const f of strings(g["files"])) out.push({ field: `${field}.files`, ref: generatorFilePath(f), role: "file" });
  for (const f of strings(g["envs"])) out.push({ field: `${field}.envs`, ref: f, role: "file" });
  if (typeof g["env"] === "string") out.push({ field: `${field}.env`, ref: g["env"], role: "file" });
}

export function kustomizationRefs(k: Doc): PathRef[] {
  const out: PathRef[] = [];
  for (const field of ["resources", "bases", "components"]) for (const r of strings(k[field])) out.push({ field, ref: r, role: "resource" });
  for (const field of ["crds", "configurations"]) for (const r of strings(k[field])) out.push({ field, ref: r, role: "file" });
  for (const r of strings(k["patchesStrategicMerge"])) if (!isInline(r)) out.push({ field: "patchesStrategicMerge", ref: r, role: "file" });
  for (const field of ["patches", "patchesJson6902", "replacements"]) {
    list(k[field]).forEach((p, i) => {
      if (isMap(p) && typeof p["path"] === "string") out.push({ field: `${field}[${i}].path`, ref: p["path"], role: "file" });
    });
  }
  for (const field of ["configMapGenerator", "secretGenerator"]) list(k[field]).forEach((g, i) => isMap(g) && generatorRefs(g, `${field}[${i}]`, out));
  const openapi = k["openapi"];
  if (isMap(openapi) && typeof openapi["path"] === "string") out.push({ field: "openapi.path", ref: openapi["path"], role: "file" });
  list(k["helmCharts"]).forEach((h, i) => isMap(h) && helmRefs(h, `helmCharts[${i}]`, out));
  list(k["helmChartInflationGenerator"]).forEach((h, i) => isMap(h) && helmRefs(h, `helmChartInflationGenerator[${i}]`, out));
  const globals = k["helmGlobals"];
  if (isMap(globals)) helmRefs(globals, "helmGlobals", out);
  for (const field of ["transformers", "generators", "validators"]) {
    for (const r of strings(k[field])) if (!isInline(r)) out.push({ field, ref: r, role: "plugin" });
  }
  return out;
}

function helmRefs(h: Doc, field: string, out: PathRef[]): void {
  for (const key of ["chartHome", "configHome"]) if (typeof h[key] === "string" && h[key] !== "") out.push({ field: `${field}.${key}`, ref: h[key], role: "location" });
  for (const key of ["valuesFile", "values"]) if (typeof h[key] === "string" && h[key] !== "") out.push({ field: `${field}.${key}`, ref: h[key], role: "file" });
  for (const f of strings(h["additionalValuesFiles"])) out.push({ field: `${field}.additionalValuesFiles`, ref: f, role: "file" });
}

/** Inline plugin configurations of a kustomization (transformers/generators/validators entries written in place). */
export function inlinePluginConfigs(k: Doc): { field: string; text: string }[] {
  const out: { field: string; text: string }[] = [];
  for (const field of ["transformers", "generators", "validators"]) for (const r of strings(k[field])) if (isInline(r)) out.push({ field, text: r });
  return out;
}

/**
 * Path fields of one builtin plugin configuration (PatchTransformer's `path`, PatchStrategicMergeTransformer's
 * `paths`, the generators' `files`/`envs`/`env`, ReplacementTransformer's `replacements[].path`, the helm
 * generator's values and chart home). kustomize reads them relative to the kustomization that lists the plugin.
 */
export function pluginConfigRefs(doc: unknown, field: string): PathRef[] {
  if (!isMap(doc)) return [];
  const kind = typeof doc["kind"] === "string" ? doc["kind"] : "plugin";
  const at = `${field} (${kind})`;
  const out: PathRef[] = [];
  if (typeof doc["path"] === "string") out.push({ field: `${at}.path`, ref: doc["path"], role: "file" });
  for (const p of strings(doc["paths"])) out.push({ field: `${at}.paths`, ref: p, role: "file" });
  generatorRefs(doc, at, out);
  list(doc["replacements"]).forEach((r, i) => {
    if (isMap(r) && typeof r["path"] === "string") out.push({ field: `${at}.replacements[${i}].path`, ref: r["path"], role: "file" });
  });
  helmRefs(doc, at, out);
  return out;
}
