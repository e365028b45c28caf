/** `plumb build | diff | sync`: the engine driven from a laptop or a CI job. */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { createIfMissing, ensureObject } from "../../apply/index.ts";
import type { GitRepositoryRef, KustomizationSpec } from "../../core/api-types.ts";
import { PlumbError, errorMessage } from "../../core/errors.ts";
import { DEFAULT_NAMESPACE } from "../../core/flux-api.ts";
import { describeRef, type KubeObject } from "../../core/object-ref.ts";
import { KubeClient } from "../../kube/client.ts";
import { render } from "../../render/render.ts";
import { bootstrapObjects, bootstrapTransform, newEngineState, sync, type SyncOptions } from "../../reconcile/sync.ts";
import { watchTree } from "../../reconcile/watch.ts";
import { diffTree } from "../../reconcile/diff-tree.ts";
import { makeSopsDecryptor } from "../../reconcile/sops-decryptor.ts";
import { readAgeKeyTexts } from "../../reconcile/kustomization-inputs.ts";
import { fetchArtifact, type GitAuth } from "../../source/index.ts";
import { authFromSecret, credentialSecret, credentialsNote, sourceCredentials, type SourceCredentials } from "./source-credentials.ts";
import type { CliIo } from "../io.ts";
import { changedFieldLines, printEvent, syncJson, syncTable } from "../printers.ts";

const OPTIONS = {
  source: { type: "string" },
  branch: { type: "string" },
  tag: { type: "string" },
  semver: { type: "string" },
  commit: { type: "string" },
  "ref-name": { type: "string" },
  path: { type: "string", default: "./" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  output: { type: "string", short: "o", default: "table" },
  watch: { type: "boolean", default: false },
  "watch-duration": { type: "string" },
  interval: { type: "string", default: "1m0s" },
  "secret-ref": { type: "string" },
  "age-key-file": { type: "string", multiple: true },
  username: { type: "string" },
  "password-env": { type: "string" },
  "private-key-file": { type: "string" },
  "known-hosts-file": { type: "string" },
  "cache-dir": { type: "string" },
  "allow-empty": { type: "boolean", default: false },
  verbose: { type: "boolean", short: "v", default: false },
  namespace: { type: "string", short: "n", default: "flux-system" },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

function refFrom(f: Flags): GitRepositoryRef {
  const ref: GitRepositoryRef = {};
  if (f.branch) ref.branch = f.branch;
  if (f.tag) ref.tag = f.tag;
  if (f.semver) ref.semver = f.semver;
  if (f.commit) ref.commit = f.commit;
  if (f["ref-name"]) ref.name = f["ref-name"];
  if (!Object.keys(ref).length) ref.branch = "main";
  return ref;
}

function sourceUrl(s: string, cwd: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^[^/]+@[^:]+:/.test(s) ? s : resolve(cwd, s);
}

function cacheDir(f: Flags, env: NodeJS.ProcessEnv): string {
  return f["cache-dir"] ?? join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "plumbline", "engine");
}

/** Secret data as the API server stores it, so an unchanged Secret is recognised as such (no write). */
function base64Values(m: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]));
}

/** `--age-key-file` files become Secret <namespace>/sops-age (`age.agekey`), where Kustomizations' decryption.secretRef finds them. */
function ageKeySecret(f: Flags): KubeObject | undefined {
  const files = f["age-key-file"] ?? [];
  if (!files.length) return undefined;
  const text = files.map((p) => readFileSync(p, "utf8").trimEnd()).join("\n") + "\n";
  if (!/AGE-SECRET-KEY-1[0-9A-Z]+/.test(text)) throw new Error(`--age-key-file ${files.join(", ")}: no AGE-SECRET-KEY-1... line found`);
  return { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "sops-age", namespace: DEFAULT_NAMESPACE }, data: base64Values({ "age.agekey": text }) };
}

/** `signal`: the shutdown's (cli/shutdown.ts); once aborted, sync starts no write, records status and returns. */
export async function runEngineCommand(cmd: "build" | "diff" | "sync", args: string[], io: CliIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const { values: f } = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true });
  if (!f.source) {
    io.stderr(`plumb ${cmd}: --source <git url or local path> is required\n`);
    return 2;
  }
  // credentials (flags, and the URL's user-info taken out of it): the URL without them is all that is stored or shown
  let creds: SourceCredentials;
  try {
    creds = sourceCredentials(f, io.env, sourceUrl(f.source, io.cwd));
  } catch (err) {
    io.stderr(`plumb ${cmd}: ${errorMessage(err)}\n`);
    return 2;
  }
  const url = creds.url;
  const ref = refFrom(f);
  if (cmd === "build") return runBuild(url, ref, f, io, creds);

  const kubeconfig = f.kubeconfig ?? io.env["KUBECONFIG"]?.split(":")[0] ?? join(homedir(), ".kube", "config");
  if (!existsSync(kubeconfig)) {
    io.stderr(`plumb ${cmd}: kubeconfig ${kubeconfig} not found (set KUBECONFIG or --kubeconfig; \`plumb local up\` starts a local control plane)\n`);
    return 2;
  }
  const kube = KubeClient.fromKubeconfig(kubeconfig, f.context);
  try {
    if (cmd === "diff") return await runDiff(kube, url, ref, f, io, creds);
    return await runSync(kube, url, ref, f, io, creds, signal);
  } finally {
    kube.close();
  }
}

/** The bootstrap objects for build and diff, which read the cluster at most (no credentials Secret of their own); secretRef as sync sets it. */
function bootstrapFor(url: string, ref: GitRepositoryRef, f: Flags, creds?: SourceCredentials): ReturnType<typeof bootstrapObjects> {
  const secretRef = f["secret-ref"] ?? (creds?.auth ? "flux-system" : undefined);
  return bootstrapObjects({ url, ref, path: f.path ?? "./", namespace: f.namespace ?? DEFAULT_NAMESPACE, ...(secretRef ? { secretRef } : {}) });
}

/** Fetches the source and renders the path the way sync's root Kustomization would (build). */
async function renderSource(url: string, ref: GitRepositoryRef, f: Flags, io: CliIo, keys: { source: string; text: string }[], auth: GitAuth | undefined): Promise<{ revision: string; objects: KubeObject[] }> {
  const art = await fetchArtifact({ url, ref, interval: "1m" }, { cacheDir: join(cacheDir(f, io.env), "git"), ...(auth ? { auth } : {}) });
  const root = bootstrapFor(url, ref, f).kustomization;
  const decryptor = keys.length ? makeSopsDecryptor(keys) : undefined;
  const res = await render({ sourceDir: art.dir, spec: root["spec"] as KustomizationSpec, owner: { name: "flux-system", namespace: root.metadata.namespace ?? DEFAULT_NAMESPACE }, ...(decryptor ? { decryptor } : {}) });
  return { revision: art.revision, objects: res.objects };
}

/** build runs without a cluster: age keys come from --age-key-file, else SOPS_AGE_KEY / SOPS_AGE_KEY_FILE as for sops. */
function localAgeKeys(f: Flags, env: NodeJS.ProcessEnv): { source: string; text: string }[] {
  const files = f["age-key-file"]?.length ? f["age-key-file"] : env["SOPS_AGE_KEY_FILE"] ? [env["SOPS_AGE_KEY_FILE"]] : [];
  const keys = files.map((p) => ({ source: p, text: readFileSync(p, "utf8") }));
  if (!files.length && env["SOPS_AGE_KEY"]) keys.push({ source: "SOPS_AGE_KEY", text: env["SOPS_AGE_KEY"] });
  return keys;
}

async function runBuild(url: string, ref: GitRepositoryRef, f: Flags, io: CliIo, creds: SourceCredentials): Promise<number> {
  const keys = localAgeKeys(f, io.env);
  if (f["secret-ref"]) {
    io.stderr(`plumb build: --secret-ref needs a cluster; build takes --username with --password-env, or --private-key-file and --known-hosts-file\n`);
    return 2;
  }
  const note = credentialsNote(creds);
  if (note) io.stderr(note);
  let res;
  try {
    res = await renderSource(url, ref, f, io, keys, creds.auth);
  } catch (err) {
    const hint = err instanceof PlumbError && err.reason === "DecryptionFailed" && !keys.length ? " (plumb build decrypts with --age-key-file or SOPS_AGE_KEY_FILE / SOPS_AGE_KEY; values are shown masked)" : "";
    io.stderr(`plumb build: ${errorMessage(err)}${hint}\n`);
    return 2;
  }
  for (const o of res.objects) {
    const shown = o.kind === "Secret" ? maskSecret(o) : o;
    io.stdout("---\n" + stringify(shown, { lineWidth: 0 }));
  }
  io.stderr(`# ${res.objects.length} objects from ${res.revision}\n`);
  return 0;
}

function maskSecret(o: KubeObject): KubeObject {
  const out = structuredClone(o);
  for (const k of ["data", "stringData"]) {
    const m = out[k] as Record<string, string> | undefined;
    if (m) for (const key of Object.keys(m)) m[key] = "<redacted>";
  }
  return out;
}

async function runDiff(kube: KubeClient, url: string, ref: GitRepositoryRef, f: Flags, io: CliIo, creds: SourceCredentials): Promise<number> {
  try {
    const note = credentialsNote(creds);
    if (note) io.stderr(note);
    const secretRef = f["secret-ref"];
    const auth = secretRef ? authFromSecret(await kube.get("v1", "Secret", f.namespace ?? DEFAULT_NAMESPACE, secretRef), secretRef) : creds.auth;
    const art = await fetchArtifact({ url, ref, interval: "1m" }, { cacheDir: join(cacheDir(f, io.env), "git"), ...(auth ? { auth } : {}) });
    const boot = bootstrapFor(url, ref, f, creds);
    const root = boot.kustomization;
    const rootKeys = await diffKeys(kube, root.metadata.namespace ?? DEFAULT_NAMESPACE);
    const transform = bootstrapTransform(boot.source);
    const tree = await diffTree({ kube, sourceDir: art.dir, root, makeDecryptor: makeSopsDecryptor, transform, ...(rootKeys ? { rootKeys } : {}) });
    let changed = 0;
    let failed = 0;
    for (const k of tree) {
      io.stdout(`Kustomization ${k.kustomization}\n`);
      if (k.skipped) io.stdout(`  (not compared: ${k.skipped})\n`);
      if (k.error) {
        io.stdout(`  ✖ ${k.error}\n`);
        failed++;
      }
      for (const c of k.changes) {
        if (c.error) {
          io.stdout(`  ✖ ${describeRef(c.ref)}: ${c.error}\n`);
          failed++;
        }
        if (c.action === "created") io.stdout(`  + ${describeRef(c.ref)} (created)\n`);
        if (c.action === "configured" && !c.error) {
          io.stdout(`  ~ ${describeRef(c.ref)} (configured)\n`);
          io.stdout(changedFieldLines(c));
        }
        if (c.action === "created" || c.action === "configured") changed++;
      }
      for (const s of k.pruned) io.stdout(`  - ${describeRef(s.ref)} (deleted)\n`);
      changed += k.pruned.length;
    }
    io.stderr(`# ${changed} change${changed === 1 ? "" : "s"} in ${tree.length} Kustomization${tree.length === 1 ? "" : "s"} against ${art.revision}${failed ? `; ${failed} error${failed === 1 ? "" : "s"}` : ""}\n`);
    return failed ? 2 : changed ? 1 : 0;
  } catch (err) {
    io.stderr(`plumb diff: ${errorMessage(err)}\n`);
    return 2;
  }
}

/** The root's keys when its spec has none, as sync's convention: the `*.agekey` entries of Secret <namespace>/sops-age. */
async function diffKeys(kube: KubeClient, namespace: string): Promise<{ source: string; text: string }[] | undefined> {
  const spec: KustomizationSpec = { sourceRef: { kind: "GitRepository", name: "flux-system" }, path: "./", interval: "10m", prune: true, decryption: { provider: "sops", secretRef: { name: "sops-age" } } };
  const keys = await readAgeKeyTexts(kube, namespace, spec).catch(() => undefined);
  return keys?.length ? keys : undefined;
}

async function runSync(kube: KubeClient, url: string, ref: GitRepositoryRef, f: Flags, io: CliIo, creds: SourceCredentials, signal: AbortSignal): Promise<number> {
  const json = f.output === "json";
  const events = (e: Parameters<typeof printEvent>[0]): void => printEvent(e, io.stderr, f.verbose);
  const namespace = f.namespace ?? DEFAULT_NAMESPACE;
  // credentials from flags or the URL become the Secret <namespace>/flux-system, as `flux bootstrap` creates it
  const secret = creds.auth ? credentialSecret(creds.auth, "flux-system", namespace) : undefined;
  const note = credentialsNote(creds, secret && !f["secret-ref"] ? { secret: "flux-system", namespace } : undefined);
  if (note) io.stderr(note);
  const opts: SyncOptions = {
    kube, url, ref, path: f.path ?? "./", cacheDir: cacheDir(f, io.env), events, makeDecryptor: makeSopsDecryptor,
    ...(f["secret-ref"] ? { secretRef: f["secret-ref"] } : secret ? { secretRef: "flux-system" } : {}),
    ...(f["allow-empty"] ? { allowEmpty: true } : {}),
    ...(f.watch ? {} : { oneShot: true }),
    namespace,
    ...(f.interval ? { interval: f.interval } : {}),
    signal,
  };
  const boot = bootstrapObjects(opts);
  for (const s of [secret, ageKeySecret(f)]) {
    if (!s) continue;
    s.metadata.namespace = namespace;
    // the namespace as bootstrap makes it (with the root's labels), so Git's copy applies unchanged
    await createIfMissing(kube, boot.namespace);
    await ensureObject(kube, s);
  }
  const state = newEngineState(kube, opts.cacheDir, events);
  const report = await sync(opts, state);
  io.stdout(json ? syncJson(report) : syncTable(report.kustomizations) + `writes: ${report.writes}\n`);
  const ok = report.kustomizations.length > 0 && report.kustomizations.every((k) => k.ready);
  if (!f.watch || signal.aborted) return ok ? 0 : 1; // after a signal main returns its exit code
  const ctrl = new AbortController();
  const stop = (): void => ctrl.abort();
  if (f["watch-duration"]) setTimeout(stop, Number(f["watch-duration"]) * 1000).unref();
  io.stderr(`watching (sources at their interval, managed objects through watches); Ctrl-C to stop\n`);
  // a signal (main's shutdown) also ends the loop; the reconcile in flight sees it through opts.signal and records its status
  await watchTree(opts, state, boot.source, AbortSignal.any([ctrl.signal, signal]), (r) => {
    // a poll that found nothing to do stays quiet
    const news = r.kustomizations.filter((k) => !k.ready || k.changes.created + k.changes.configured + k.changes.deleted > 0);
    if (!news.length) return;
    io.stdout(json ? JSON.stringify({ event: "reconciled", trigger: r.trigger, kustomizations: news.map((k) => ({ ...k, children: undefined, drift: undefined })) }) + "\n" : syncTable(news));
  });
  return 0;
}

