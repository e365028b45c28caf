/**
 * Renders a Kustomization: kustomize's output for the source artifact and the Kustomization's build fields
 * (from the render cache when the same artifact and build inputs were rendered before without decryption), then
 * per object: decryption, strict postBuild substitution, commonMetadata and ownership labels.
 *
 * Building: the artifact is copied once per process into a shared staged tree (staged-tree.ts); each render
 * adds a private directory beside spec.path with the generated or amended kustomization file (render-dir.ts),
 * checks confinement and parses every resource (preflight), and runs the real kustomize. Renders that decrypt
 * SOPS data get a private copy of the whole tree instead, removed at the end of the render: decrypted files are
 * never shared between renders and never outlive the render.
 */
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import type { KustomizationSpec } from "../core/api-types.ts";
import { BuildError, PlumbError } from "../core/errors.ts";
import { DECRYPT_ANNOTATION, OWNER_NAME_LABEL, OWNER_NAMESPACE_LABEL, SUBSTITUTE_ANNOTATION } from "../core/flux-api.ts";
import { describeObject, type KubeObject } from "../core/object-ref.ts";
import { kustomizeFailureText, parseBuildOutput } from "./build-output.ts";
import { checkTree } from "./check-tree.ts";
import { copyTreeConfined } from "./copy-tree.ts";
import { directBuild } from "./direct-build.ts";
import { looksEncrypted, type Decryptor } from "./decryptor.ts";
import { amendKustomization, findKustomizationFile, generateResources, parseYamlFile, readKustomization } from "./kustomization-file.ts";
import { findKustomize, type KustomizeCommand } from "./kustomize-binary.ts";
import { readRenderCache, writeRenderCache } from "./render-cache.ts";
import { isCacheable, renderCacheKey } from "./render-cache-key.ts";
import { refusedLinkError, refusedLinkOn, type RefusedLinks } from "./refused-links.ts";
import { makeRenderDir } from "./render-dir.ts";
import { PathEscapeError, resolveInside } from "./safe-path.ts";
import { acquireStagedTree } from "./staged-tree.ts";
import { substitute, SubstitutionError } from "./substitute.ts";

export { parseBuildOutput } from "./build-output.ts";

export interface RenderInput {
  /** Root of the source artifact (the repository tree). Its content must not change: it is staged once per process. */
  sourceDir: string;
  spec: KustomizationSpec;
  owner: { name: string; namespace: string };
  /** Variables from postBuild.substitute and substituteFrom, already merged by the caller. */
  variables?: Record<string, string>;
  decryptor?: Decryptor;
  kustomize?: KustomizeCommand;
  signal?: AbortSignal;
  /** The artifact's content digest; with cacheDir, kustomize's output is cached per digest and build inputs. */
  digest?: string;
  /** Private directory of the render cache (renders with a decryptor are never cached). */
  cacheDir?: string;
  /**
   * Builds that transform nothing are done in process, without running kustomize (direct-build.ts): default
   * true, unless PLUMBLINE_DIRECT_BUILD=0.
   */
  directBuild?: boolean;
}

export interface RenderResult {
  objects: KubeObject[];
  durationMs: number;
  /** kustomize's output came from the render cache. */
  cached: boolean;
}

export async function render(input: RenderInput): Promise<RenderResult> {
  const t0 = Date.now();
  const kustomize = input.kustomize ?? defaultKustomize();
  const key = input.cacheDir && isCacheable({ digest: input.digest, decrypts: !!input.decryptor })
    ? renderCacheKey({ digest: input.digest as string, spec: input.spec, kustomize: await kustomizeIdentity(kustomize) })
    : undefined;
  const cachedOutput = key && input.cacheDir ? await readRenderCache(input.cacheDir, key) : undefined;
  let objects: KubeObject[];
  if (cachedOutput) objects = await finishObjects(cachedOutput, input);
  // decryptObject may read the encrypted files as committed: finish while the private copy still exists
  else if (input.decryptor) objects = await buildPrivate(input, kustomize, input.decryptor, (built) => finishObjects(built, input));
  else {
    const built = await buildShared(input, kustomize);
    if (key && input.cacheDir) await writeRenderCache(input.cacheDir, key, built).catch(() => undefined); // a cache that cannot be written only costs time
    objects = await finishObjects(built, input);
  }
  return { objects, durationMs: Date.now() - t0, cached: cachedOutput !== undefined };
}

/** Per built object: decryption (or refusing ciphertext), postBuild substitution, commonMetadata and owner labels. */
async function finishObjects(built: KubeObject[], input: RenderInput): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (let obj of built) {
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
  return out;
}

let defaultCommand: { path: string | undefined; cmd: KustomizeCommand } | undefined;

/** kustomize on PATH, looked up once per PATH value. */
function defaultKustomize(): KustomizeCommand {
  const path = process.env["PATH"];
  if (!defaultCommand || defaultCommand.path !== path) defaultCommand = { path, cmd: findKustomize() };
  return defaultCommand.cmd;
}

const identities = new Map<string, Promise<string>>();

/** The kustomize binary as part of the cache key: path, arguments, size and mtime (an upgrade is a new key). */
function kustomizeIdentity(k: KustomizeCommand): Promise<string> {
  const id = `${k.cmd}\0${k.args.join("\0")}`;
  let p = identities.get(id);
  if (!p) {
    p = realpath(k.cmd).then(stat).then((st) => `${id}\0${st.size}\0${st.mtimeMs}`, () => id);
    identities.set(id, p);
  }
  return p;
}

/** Where a build happens: the repository root, spec.path in it, and how kustomize's messages name paths. */
interface BuildContext {
  root: string;
  specDir: string;
  parse: (file: string, root: string) => unknown[];
  /** Symlinks of the source the copy left out (copy-tree.ts). */
  links: RefusedLinks;
}

/** spec.path in the copy: a directory inside the repository, not reached through a refused symlink. */
async function resolveSpecDir(root: string, spec: KustomizationSpec, links: RefusedLinks): Promise<string> {
  const specPath = spec.path ?? "./";
  let dir: string;
  try {
    dir = resolveInside(root, specPath, "spec.path");
  } catch (err) {
    throw new PlumbError("InvalidPath", (err as Error).message);
  }
  const link = refusedLinkOn(links, relative(root, dir));
  if (link) throw refusedLinkError(`spec.path "${specPath}": `, link.path, link.link);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new BuildError(`spec.path "${specPath}": directory not found in the source`, specPath);
  return dir;
}

/** The kustomization file to build: the amended one in spec.path, or one generated as Flux does. Checked before use. */
function kustomizationFor(b: BuildContext, spec: KustomizationSpec): { fileName: string; text: string; doc: Record<string, unknown>; generated: boolean } {
  const existing = findKustomizationFile(b.specDir);
  const base = existing ? readKustomization(existing, b.root) : { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: generateResources(b.specDir, b.root, b.parse, b.links) };
  const amended = amendKustomization(base, spec);
  const fileName = existing ? relative(b.specDir, existing) : "kustomization.yaml";
  checkTree(b.specDir, { root: b.root, parse: b.parse, links: b.links }, { doc: amended, file: join(b.specDir, fileName), generated: !existing });
  return { fileName, text: stringify(amended), doc: amended, generated: !existing };
}

function confined<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof PathEscapeError) throw new PlumbError("InvalidPath", err.message);
    throw err;
  });
}

/** Builds in the shared staged copy of the artifact, through a private directory beside spec.path. */
async function buildShared(input: RenderInput, kustomize: KustomizeCommand): Promise<KubeObject[]> {
  const staged = await confined(() => acquireStagedTree(input.sourceDir, input.digest));
  try {
    const specDir = await resolveSpecDir(staged.root, input.spec, staged.links);
    const parse = (file: string, root: string): unknown[] => {
      let docs = staged.parsed.get(file);
      if (!docs) {
        docs = parseYamlFile(file, root);
        staged.parsed.set(file, docs);
      }
      return docs;
    };
    const k = kustomizationFor({ root: staged.root, specDir, parse, links: staged.links }, input.spec);
    const direct = tryDirectBuild(input, k.doc, specDir, (f) => parse(f, staged.root));
    if (direct) return direct;
    const rd = await makeRenderDir(specDir, k.fileName, k.text);
    try {
      const output = await runKustomize(kustomize, rd.dir, { root: staged.root, aliases: [[rd.dir, specDir]] }, staged.home, kustomizationSubject(staged.root, specDir, k), input.signal);
      return parseBuildOutput(output);
    } finally {
      await rd.remove();
    }
  } finally {
    staged.release();
  }
}

/** Builds in a private copy of the whole tree (decryption writes plaintext generator inputs into it); removed at the end. */
async function buildPrivate(input: RenderInput, kustomize: KustomizeCommand, decryptor: Decryptor, finish: (built: KubeObject[]) => Promise<KubeObject[]>): Promise<KubeObject[]> {
  const work = await mkdtemp(join(tmpdir(), "plumbline-render-"));
  try {
    const home = join(work, "home");
    await mkdir(home, { mode: 0o700 });
    const copy = join(work, "src");
    const links = await confined(() => copyTreeConfined(input.sourceDir, copy));
    const root = await realpath(copy);
    const specDir = await resolveSpecDir(root, input.spec, links);
    const parsed = new Map<string, unknown[]>();
    const parse = (file: string, r: string): unknown[] => {
      let docs = parsed.get(file);
      if (!docs) parsed.set(file, (docs = parseYamlFile(file, r)));
      return docs;
    };
    const k = kustomizationFor({ root, specDir, parse, links }, input.spec);
    const direct = tryDirectBuild(input, k.doc, specDir, (f) => parse(f, root));
    if (direct) return await finish(direct);
    // the tree is a private copy: write the amended (or generated) file in place
    await writeFile(join(specDir, k.fileName), k.text, { mode: 0o600 });
    await decryptor.decryptGeneratorInputs(root);
    const output = await runKustomize(kustomize, specDir, { root, aliases: [] }, home, kustomizationSubject(root, specDir, k), input.signal);
    return await finish(parseBuildOutput(output));
  } finally {
    await decryptor.dispose?.(); // the decrypted inputs on tmpfs
    await rm(work, { recursive: true, force: true });
  }
}

/** The build in process when it transforms nothing (direct-build.ts); undefined when kustomize must run. */
function tryDirectBuild(input: RenderInput, kustomization: Record<string, unknown>, dir: string, parse: (file: string) => unknown[]): KubeObject[] | undefined {
  if (!(input.directBuild ?? process.env["PLUMBLINE_DIRECT_BUILD"] !== "0")) return undefined;
  return directBuild({ kustomization, dir, parse, isFile: (p) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false });
}

/** kustomize processes running at once (each is a short CPU-bound process). */
const KUSTOMIZE_PARALLELISM = Math.max(2, availableParallelism());
let kustomizeRunning = 0;
const kustomizeQueue: (() => void)[] = [];

async function kustomizeSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (kustomizeRunning < KUSTOMIZE_PARALLELISM) kustomizeRunning++;
  else await new Promise<void>((resolve) => kustomizeQueue.push(resolve)); // the slot is handed over by release
  try {
    return await fn();
  } finally {
    const next = kustomizeQueue.shift();
    if (next) next();
    else kustomizeRunning--;
  }
}

/** Rewrites kustomize's messages to name paths as in the repository. */
interface PathNames {
  root: string;
  /** [private path, path it stands for]. */
  aliases: [string, string][];
}

function repoPaths(text: string, names: PathNames): string {
  let out = text;
  for (const [from, to] of names.aliases) out = out.split(from).join(to);
  return out.split(names.root + "/").join("").split(names.root).join(".");
}

/** The kustomization kustomize builds, as its errors are prefixed: the file in the repository, or the folder whose kustomization was generated. */
function kustomizationSubject(root: string, specDir: string, k: { fileName: string; generated: boolean }): string {
  const dir = relative(root, specDir) || ".";
  return k.generated ? `${dir} (generated kustomization)` : relative(root, join(specDir, k.fileName));
}

function runKustomize(k: KustomizeCommand, dir: string, names: PathNames, home: string, subject: string, signal?: AbortSignal): Promise<string> {
  const args = [...k.args, dir, "--load-restrictor=LoadRestrictionsNone"];
  return kustomizeSlot(() => new Promise((resolve, reject) => {
    const child = spawn(k.cmd, args, { cwd: join(dir, ".."), env: { ...process.env, HOME: home }, ...(signal ? { signal } : {}) });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => reject(new BuildError(`kustomize: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      reject(new BuildError(`${subject}: kustomize build failed: ${kustomizeFailureText(repoPaths(Buffer.concat(err).toString("utf8"), names))}`, subject));
    });
  }));
}

function substituteObject(obj: KubeObject, vars: Record<string, string>, subject: string): KubeObject {
  if (!JSON.stringify(obj).includes("${")) return obj; // nothing to substitute: skip the YAML round trip
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
