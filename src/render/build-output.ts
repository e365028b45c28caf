/** Parsing kustomize's output, and the manifest shape check shared with the preflight. */
import { parseAllDocuments } from "yaml";
import { BuildError } from "../core/errors.ts";
import type { KubeObject } from "../core/object-ref.ts";

/** A document is a Kubernetes object: a mapping with apiVersion, kind and metadata.name (or generateName). */
export function checkManifest(doc: unknown, where: string): void {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new BuildError(`${where}: not a Kubernetes object (expected a mapping)`, where);
  const o = doc as Record<string, unknown>;
  const meta = (o["metadata"] ?? {}) as Record<string, unknown>;
  const missing = [!o["apiVersion"] && "apiVersion", !o["kind"] && "kind", !meta["name"] && !meta["generateName"] && "metadata.name"].filter(Boolean);
  if (missing.length && o["kind"] !== "List") throw new BuildError(`${where}: missing ${missing.join(", ")}`, where.replace(/ \(document \d+\)$/, ""));
}

export function parseBuildOutput(text: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  const out: KubeObject[] = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length) throw new BuildError(`kustomize output document ${i + 1}: invalid YAML: ${doc.errors[0]?.message.split("\n")[0] ?? ""}`);
    const js = doc.toJS() as KubeObject | null;
    if (!js) continue;
    checkManifest(js, `kustomize output document ${i + 1}`);
    js.metadata ??= {};
    out.push(js);
  }
  return out;
}
