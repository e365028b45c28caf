/**
 * Renders a Kustomization: private copy of the source tree, generated or amended kustomization file,
 * confinement and YAML preflight, SOPS generator inputs, the real kustomize, then per object:
 * decryption, strict postBuild substitution, commonMetadata and ownership labels.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseAllDocuments, stringify, parse } from "yaml";
import type { KustomizationSpec } from "../core/api-types.ts";
import { BuildError, PlumbError } from "../core/errors.ts";
import { DECRYPT_ANNOTATION, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, SUBSTITUTE_ANNOTATION } from "../core/flux-api.ts";
import { describeObject, type KubeObject } from "../core/object-ref.ts";
import { copyTreeConfined } from "./copy-tree.ts";
import { looksEncrypted, type Decryptor } from "./decryptor.ts";
import { amendKustomization, findKustomizationFile, generateResources, parseYamlFile, readKustomization, referencedPaths } from "./kustomization-file.ts";
import { findKustomize, type KustomizeCommand } from "./kustomize-binary.ts";
import { isInside, isRemoteReference, PathEscapeError, resolveInside } from "./safe-path.ts";
import { substitute, SubstitutionError } from "./substitute.ts";

export interface RenderInput {
  /** Root of the source artifact (the repository tree). */
  sourceDir: string;
  spec: KustomizationSpec;
  owner: { name: string; namespace: string };
  /** Variables from postBuild.substitute and substituteFrom, already merged by the caller. */
  variables?: Record<string, string>;
  decryptor?: Decryptor;
  kustomize?: KustomizeCommand;
  signal?: AbortSignal;
}

export interface RenderResult {
  objects: KubeObject[];
  durationMs: number;
}

export async function render(input: RenderInput): Promise<RenderResult> {
  const t0 = Date.now();
  const work = mkdtempSync(join(tmpdir(), "plumbline-render-"));
  try {
    const root = join(work, "src");
    try {
      copyTreeConfined(input.sourceDir, root);
    } catch (err) {
      if (err instanceof PathEscapeError) throw new PlumbError("InvalidPath", err.message);
      throw err;
    }
    const specPath = input.spec.path ?? "./";
    let dir: string;
    try {
      dir = resolveInside(root, specPath, `spec.path`);
    } catch (err) {
      throw new PlumbError("InvalidPath", (err as Error).message);
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BuildError(`spec.path "${specPath}": directory not found in the source`, specPath);

    prepareKustomization(dir, root, input.spec);
    checkTree(dir, root);
    if (input.decryptor) await input.decryptor.decryptGeneratorInputs(root);

    const output = await runKustomize(input.kustomize ?? findKustomize(), dir, root, work, input.signal);
    const objects = parseBuildOutput(output);
    const out: KubeObject[] = [];
    for (let obj of objects) {
      const subject = describeObject(obj);
      if (obj.metadata.annotations?.[DECRYPT_ANNOTATION]?.toLowerCase() !== "disabled") {
        if (input.decryptor) obj = await input.decryptor.decryptObject(obj, subject);
        else if (looksEncrypted(obj)) {
          throw new PlumbError("DecryptionFailed", `${subject}: holds SOPS-encrypted data but the Kustomization has no spec.decryption; refusing to apply ciphertext`);
        }
      }
      if (input.variables && obj.metadata.annotations?.[SUBSTITUTE_ANNOTATION]?.toLowerCase() !== "disabled") {
        obj = substituteObject(obj, input.variables, subject);
      }
      applyCommonMetadata(obj, input.spec, input.owner);
      out.push(obj);
    }
    return { objects: out, durationMs: Date.now() - t0 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function prepareKustomization(dir: string, root: string, spec: KustomizationSpec): void {
  const existing = findKustomizationFile(dir);
  const base = existing ? readKustomization(existing, root) : { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: generateResources(dir, root) };
  // the tree is a private copy: write the amended (or generated) file in place
  writeFileSync(existing ?? join(dir, "kustomization.yaml"), stringify(amendKustomization(base, spec)), { mode: 0o600 });
}

/** Every local path any reachable kustomization refers to stays inside the repository, and every YAML resource parses. */
function checkTree(dir: string, root: string): void {
  const seen = new Set<string>();
  const visit = (kdir: string): void => {
    if (seen.has(kdir)) return;
    seen.add(kdir);
    const kfile = findKustomizationFile(kdir);
    if (!kfile) return;
    const k = readKustomization(kfile, root);
    const relK = relative(root, kfile);
    const { resources, files } = referencedPaths(k);
    for (const ref of [...resources, ...files]) {
      if (isRemoteReference(ref)) continue;
      const target = join(kdir, ref);
      if (!isInside(root, target)) throw new PlumbError("InvalidPath", `${relK}: "${ref}" leaves the repository`);
      if (!existsSync(target)) throw new BuildError(`${relK}: "${ref}" not found`, relK);
    }
    for (const ref of resources) {
      if (isRemoteReference(ref)) continue;
      const target = join(kdir, ref);
      if (statSync(target).isDirectory()) visit(target);
      else {
        const docs = parseYamlFile(target, root);
        docs.forEach((d, i) => checkManifest(d, `${relative(root, target)}${docs.length > 1 ? ` (document ${i + 1})` : ""}`));
      }
    }
  };
  visit(dir);
}

function checkManifest(doc: unknown, where: string): void {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new BuildError(`${where}: not a Kubernetes object (expected a mapping)`, where);
  const o = doc as Record<string, unknown>;
  const meta = (o["metadata"] ?? {}) as Record<string, unknown>;
  const missing = [!o["apiVersion"] && "apiVersion", !o["kind"] && "kind", !meta["name"] && !meta["generateName"] && "metadata.name"].filter(Boolean);
  if (missing.length && o["kind"] !== "List") throw new BuildError(`${where}: missing ${missing.join(", ")}`, where.replace(/ \(document \d+\)$/, ""));
}

async function runKustomize(k: KustomizeCommand, dir: string, root: string, work: string, signal?: AbortSignal): Promise<string> {
  const args = [...k.args, dir, "--load-restrictor=LoadRestrictionsNone"];
  return new Promise((resolve, reject) => {
    const child = spawn(k.cmd, args, { cwd: dirname(dir), env: { ...process.env, HOME: work }, ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => reject(new BuildError(`kustomize: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const msg = Buffer.concat(err).toString("utf8").split(root + "/").join("").split(root).join(".").trim();
      reject(new BuildError(`kustomize build failed: ${msg.split("\n").filter((l) => !/^\s*$/.test(l)).slice(0, 5).join("; ")}`));
    });
  });
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

function substituteObject(obj: KubeObject, vars: Record<string, string>, subject: string): KubeObject {
  const text = stringify(obj, { lineWidth: 0 });
  if (!text.includes("${")) return obj;
  try {
    return parse(substitute(text, vars, subject)) as KubeObject;
  } catch (err) {
    if (err instanceof SubstitutionError) throw new BuildError(`postBuild substitution: ${err.message}`);
    throw new BuildError(`${subject}: postBuild substitution produced invalid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

function applyCommonMetadata(obj: KubeObject, spec: KustomizationSpec, owner: { name: string; namespace: string }): void {
  const labels = { ...(obj.metadata.labels ?? {}), ...(spec.commonMetadata?.labels ?? {}) };
  labels[OWNER_NAME_LABEL] = owner.name;
  labels[OWNER_NAMESPACE_LABEL] = owner.namespace;
  obj.metadata.labels = labels;
  if (spec.commonMetadata?.annotations) obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...spec.commonMetadata.annotations };
}
