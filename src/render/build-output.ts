/** Parsing kustomize's output and error text, and the manifest shape check shared with the preflight. */
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

/** klog's header on a line kubectl writes: `E1202 12:00:00.000000   123 run.go:72] `. */
const KLOG_HEADER = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ [^\s\]]+:\d+\] /;

/** A Go-quoted string's text (`"command failed" err="..."`): JSON reads the escapes Go writes for text. */
function unquote(quoted: string): string {
  try {
    const v: unknown = JSON.parse(quoted);
    if (typeof v === "string") return v;
  } catch {
    // not JSON-compatible quoting: keep the text between the quotes as written
  }
  return quoted.slice(1, -1);
}

/**
 * The message of a failed kustomize run, from its stderr: without kubectl's klog header and `"command failed"
 * err=` wrapper, kustomize's `Error: ` or kubectl's `error: ` prefix; at most `maxLines` non-empty lines, joined by `; `. Pure.
 */
export function kustomizeFailureText(stderr: string, maxLines = 5): string {
  const lines: string[] = [];
  for (const raw of stderr.split("\n")) {
    let line = raw.trim().replace(KLOG_HEADER, "");
    const wrapped = /^"command failed" err=(".*")$/.exec(line);
    if (wrapped?.[1]) line = unquote(wrapped[1]);
    // kustomize's cobra writes `Error: `; kubectl (1.37) writes `error: ` before a kustomize failure
    line = line.replace(/^(?:Error|error): /, "").trim();
    if (line !== "") lines.push(line);
  }
  return lines.slice(0, maxLines).join("; ");
}
