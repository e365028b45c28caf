/**
 * Fetching a GitRepository into an artifact directory with the git binary.
 *
 * Layout under cacheDir:
 *   repos/<key>/          a bare repository per URL, fetched into incrementally
 *   artifacts/<sha256>/   content-addressed artifact directories (immutable once written)
 *   artifacts/commits/    which artifact a commit built into, per ignore rules (so an unchanged revision is not
 *                         checked out again)
 *   tmp/                  work dirs for checkouts, removed after each fetch
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GitRepositorySpec } from "../core/api-types.ts";
import { SourceError, errorMessage } from "../core/errors.ts";
import { digestFiles, type ArtifactFile } from "./artifact-digest.ts";
import { parseGoDuration } from "./duration.ts";
import { authSecrets, withUrlCredentials, type GitAuth } from "./git-auth.ts";
import { GitCommandError, runGit } from "./git-command.ts";
import { classifyGitStderr, describeFailure, stderrSummary } from "./git-errors.ts";
import { parseGitUrl, redactText, redactUrl, splitUrlCredentials, type GitRemote } from "./git-url.ts";
import { describeStrategy, formatRevision, invalidRefName, refStrategy, type RefStrategy } from "./ref-strategy.ts";
import { selectSemverTag, type TagInfo } from "./semver-select.ts";
import { SOURCE_IGNORE_FILE, buildIgnoreFilter, type IgnoreFile } from "./source-ignore.ts";
import { prepareTransportAuth, type TransportAuth } from "./transport-auth.ts";

export interface FetchOptions {
  cacheDir: string;
  auth?: GitAuth;
  signal?: AbortSignal;
  /** Overrides spec.timeout (default 60s, as in Flux). */
  timeoutMs?: number;
}

export interface FetchedArtifact {
  revision: string;
  digest: string;
  /** Directory holding the artifact's files. Content-addressed: do not modify. */
  dir: string;
  commit: string;
  lastUpdateTime: string;
  /** Total bytes of the artifact's files. */
  size: number;
  /** True when the cache for this URL had never been fetched into (a clone); false for an incremental fetch. */
  cloned: boolean;
  /** True when this commit's artifact (same ignore rules) was already built: no checkout was needed. */
  reused: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const FETCHED_MARKER = "plumbline-fetched";

const locks = new Map<string, Promise<unknown>>();

/** Runs fn with no other fetch of the same cache repository running in this process. */
async function withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  try {
    return await run;
  } finally {
    if (locks.get(key) === tail) locks.delete(key);
  }
}

/** Clone or incrementally fetch spec.url, resolve spec.ref as Flux does, and produce the artifact directory. */
export async function fetchArtifact(spec: GitRepositorySpec, opts: FetchOptions): Promise<FetchedArtifact> {
  let remote: GitRemote;
  try {
    remote = parseGitUrl(spec.url);
  } catch (e) {
    throw new SourceError(`git ${redactUrl(spec.url)}: ${errorMessage(e)}`);
  }
  const strategy = refStrategy(spec.ref);
  const refDesc = describeStrategy(strategy);
  const subject = `git ${remote.display}`;
  const badName = invalidRefName(strategy);
  if (badName) throw new SourceError(`${subject}: ${refDesc}: ${badName}`);

  let timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (opts.timeoutMs === undefined && spec.timeout) {
    try {
      timeoutMs = parseGoDuration(spec.timeout);
    } catch (e) {
      throw new SourceError(`${subject}: spec.timeout: ${errorMessage(e)}`);
    }
  }
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(opts.signal ? [opts.signal] : [])]);
  const auth = withUrlCredentials(opts.auth, remote.credentials);
  const urlPassword = splitUrlCredentials(spec.url).credentials?.password;
  const secrets = [...authSecrets(auth), ...(urlPassword ? [urlPassword, encodeURIComponent(urlPassword)] : [])];

  const repoKey = createHash("sha256").update(remote.display).digest("hex").slice(0, 24);
  const repoDir = join(opts.cacheDir, "repos", repoKey);

  return withLock(repoDir, async () => {
    let transport: TransportAuth;
    try {
      transport = await prepareTransportAuth(remote.transport, auth, Math.min(timeoutMs / 1000, 30));
    } catch (e) {
      throw new SourceError(`${subject}: ${redactText(errorMessage(e), secrets)}`);
    }
    try {
      const ctx: Ctx = { remote, repoDir, subject, refDesc, transport, signal, secrets, timeoutMs, userSignal: opts.signal };
      const cloned = !existsSync(join(repoDir, FETCHED_MARKER));
      await ensureBareRepo(ctx);
      const { sha, tag } = await resolveStrategy(ctx, strategy);
      await writeFile(join(repoDir, FETCHED_MARKER), "");
      const known = await builtBefore(opts.cacheDir, sha, spec.ignore);
      const built = known ?? (await buildArtifact(ctx, opts.cacheDir, sha, spec.ignore));
      if (!known) await recordBuilt(opts.cacheDir, sha, spec.ignore, built);
      return {
        revision: formatRevision(strategy, sha, tag),
        digest: built.digest,
        dir: built.dir,
        commit: sha,
        lastUpdateTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        size: built.size,
        cloned,
        reused: known !== undefined,
      };
    } finally {
      await transport.cleanup();
    }
  });
}

interface Ctx {
  remote: GitRemote;
  repoDir: string;
  subject: string;
  refDesc: string;
  transport: TransportAuth;
  signal: AbortSignal;
  userSignal: AbortSignal | undefined;
  secrets: string[];
  timeoutMs: number;
}

/** Runs git against the cache repo; remote=true adds the transport credentials. Failures become SourceErrors. */
async function git(ctx: Ctx, args: string[], o: { remote?: boolean; env?: Record<string, string>; doing?: string } = {}): Promise<string> {
  try {
    const r = await runGit([`--git-dir=${ctx.repoDir}`, ...args], {
      env: { ...(o.remote ? ctx.transport.env : {}), ...o.env },
      secretConfig: o.remote ? ctx.transport.secretConfig : [],
      signal: ctx.signal,
    });
    return r.stdout;
  } catch (e) {
    throw toSourceError(ctx, e, o.doing ?? `fetching ${ctx.refDesc}`);
  }
}

function toSourceError(ctx: Ctx, e: unknown, doing: string): SourceError {
  if (e instanceof SourceError) return e;
  if (e instanceof GitCommandError) {
    if (e.aborted) {
      const why = ctx.userSignal?.aborted ? "aborted" : `timed out after ${ctx.timeoutMs / 1000}s`;
      return new SourceError(`${ctx.subject}: ${doing}: ${why}`);
    }
    const stderr = redactText(e.stderr, ctx.secrets);
    const kind = classifyGitStderr(stderr);
    if (kind === "ref-not-found") return new SourceError(`${ctx.subject}: ${ctx.refDesc} not found`);
    const detail = stderrSummary(stderr);
    return new SourceError(`${ctx.subject}: ${doing}: ${describeFailure(kind)}${detail ? `: ${detail}` : ""}`);
  }
  return new SourceError(`${ctx.subject}: ${doing}: ${redactText(errorMessage(e), ctx.secrets)}`);
}

async function ensureBareRepo(ctx: Ctx): Promise<void> {
  if (existsSync(join(ctx.repoDir, "HEAD"))) return;
  await mkdir(dirname(ctx.repoDir), { recursive: true });
  try {
    await runGit(["init", "--bare", "--quiet", ctx.repoDir], { signal: ctx.signal });
  } catch (e) {
    throw toSourceError(ctx, e, "initialising cache");
  }
}

async function fetch(ctx: Ctx, refspecs: string[], prune = false): Promise<void> {
  const args = ["fetch", "--no-tags", "--no-write-fetch-head", "--no-recurse-submodules", "--quiet", ...(prune ? ["--prune"] : []), ctx.remote.url, ...refspecs];
  await git(ctx, args, { remote: true });
}

/** The commit a local ref or object name peels to, or undefined. */
async function peel(ctx: Ctx, rev: string): Promise<string | undefined> {
  try {
    const r = await runGit([`--git-dir=${ctx.repoDir}`, "rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], { signal: ctx.signal });
    const sha = r.stdout.trim();
    return sha === "" ? undefined : sha;
  } catch (e) {
    if (e instanceof GitCommandError && !e.aborted && e.exitCode !== null) return undefined;
    throw toSourceError(ctx, e, `resolving ${ctx.refDesc}`);
  }
}

async function mustPeel(ctx: Ctx, rev: string): Promise<string> {
  const sha = await peel(ctx, rev);
  if (!sha) throw new SourceError(`${ctx.subject}: ${ctx.refDesc} not found`);
  return sha;
}

async function resolveStrategy(ctx: Ctx, s: RefStrategy): Promise<{ sha: string; tag?: string }> {
  switch (s.kind) {
    case "branch": {
      await fetch(ctx, [`+refs/heads/${s.branch}:refs/heads/${s.branch}`]);
      return { sha: await mustPeel(ctx, `refs/heads/${s.branch}`) };
    }
    case "tag": {
      await fetch(ctx, [`+refs/tags/${s.tag}:refs/tags/${s.tag}`]);
      return { sha: await mustPeel(ctx, `refs/tags/${s.tag}`) };
    }
    case "name": {
      const local = `refs/plumbline/name/${s.name}`;
      await fetch(ctx, [`+${s.name}:${local}`]);
      return { sha: await mustPeel(ctx, local) };
    }
    case "semver": {
      await fetch(ctx, ["+refs/tags/*:refs/tags/*"], true);
      const tags = await listTags(ctx);
      let chosen: string | undefined;
      try {
        chosen = selectSemverTag(tags, s.range);
      } catch (e) {
        throw new SourceError(`${ctx.subject}: ${errorMessage(e)}`);
      }
      if (chosen === undefined) throw new SourceError(`${ctx.subject}: no tag matches ${ctx.refDesc}`);
      return { sha: await mustPeel(ctx, `refs/tags/${chosen}`), tag: chosen };
    }
    case "commit": {
      if (s.branch) {
        await fetch(ctx, [`+refs/heads/${s.branch}:refs/heads/${s.branch}`]);
        const sha = await mustPeel(ctx, s.commit);
        const onBranch = await runGit([`--git-dir=${ctx.repoDir}`, "merge-base", "--is-ancestor", sha, `refs/heads/${s.branch}`], { signal: ctx.signal }).then(
          () => true,
          (e: unknown) => {
            if (e instanceof GitCommandError && e.exitCode === 1) return false;
            throw toSourceError(ctx, e, `resolving ${ctx.refDesc}`);
          },
        );
        if (!onBranch) throw new SourceError(`${ctx.subject}: ${ctx.refDesc} not found`);
        return { sha };
      }
      await fetch(ctx, ["+refs/heads/*:refs/heads/*"], true);
      const sha = await mustPeel(ctx, s.commit);
      const containing = await git(ctx, ["for-each-ref", "--count=1", "--contains", sha, "--format=%(refname)", "refs/heads/"], { doing: `resolving ${ctx.refDesc}` });
      if (containing.trim() === "") throw new SourceError(`${ctx.subject}: ${ctx.refDesc} not found`);
      return { sha };
    }
  }
}

async function listTags(ctx: Ctx): Promise<TagInfo[]> {
  const out = await git(ctx, ["for-each-ref", "--format=%(refname:strip=2)%00%(committerdate:unix)%00%(*committerdate:unix)", "refs/tags/"], { doing: "listing tags" });
  const tags: TagInfo[] = [];
  for (const line of out.split("\n")) {
    if (line === "") continue;
    const [name = "", direct = "", peeled = ""] = line.split("\0");
    tags.push({ name, commitTime: Number(peeled || direct || 0) });
  }
  return tags;
}

/** Bump when what goes into an artifact changes (default exclusions, file modes), so older records are not trusted. */
const ARTIFACT_RULES = "2"; // 2: symlinks kept

function builtRecordPath(cacheDir: string, sha: string, specIgnore: string | undefined): string {
  const rules = createHash("sha256").update(`${ARTIFACT_RULES}\0${specIgnore === undefined ? "-" : `+${specIgnore}`}`).digest("hex").slice(0, 16);
  return join(cacheDir, "artifacts", "commits", `${sha}-${rules}.json`);
}

/** The artifact this commit built into before with the same ignore rules, when its directory is still there. */
async function builtBefore(cacheDir: string, sha: string, specIgnore: string | undefined): Promise<{ dir: string; digest: string; size: number } | undefined> {
  try {
    const rec = JSON.parse(await readFile(builtRecordPath(cacheDir, sha, specIgnore), "utf8")) as { digest?: unknown; size?: unknown };
    if (typeof rec.digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(rec.digest) || typeof rec.size !== "number") return undefined;
    const dir = join(cacheDir, "artifacts", rec.digest.slice("sha256:".length));
    return existsSync(dir) ? { dir, digest: rec.digest, size: rec.size } : undefined;
  } catch {
    return undefined; // not built yet, or an unreadable record: build again
  }
}

async function recordBuilt(cacheDir: string, sha: string, specIgnore: string | undefined, built: { digest: string; size: number }): Promise<void> {
  const path = builtRecordPath(cacheDir, sha, specIgnore);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ digest: built.digest, size: built.size }));
  await rename(tmp, path);
}

async function buildArtifact(ctx: Ctx, cacheDir: string, sha: string, specIgnore: string | undefined): Promise<{ dir: string; digest: string; size: number }> {
  const tmpRoot = join(cacheDir, "tmp");
  await mkdir(tmpRoot, { recursive: true });
  const work = await mkdtemp(join(tmpRoot, "build-"));
  try {
    const tree = join(work, "tree");
    const staging = join(work, "artifact");
    await mkdir(tree);
    await mkdir(staging);
    const env = { GIT_INDEX_FILE: join(work, "index") };
    const doing = `checking out ${sha}`;
    await git(ctx, [`--work-tree=${tree}`, "read-tree", sha], { env, doing });
    await git(ctx, [`--work-tree=${tree}`, "checkout-index", "--all", "--force"], { env, doing });

    const entries = await readdir(tree, { recursive: true, withFileTypes: true });
    const files: { rel: string; parts: string[]; link: boolean }[] = [];
    const ignoreFiles: IgnoreFile[] = [];
    for (const e of entries) {
      // regular files and symlinks as committed (never followed here: the render's staged copy materializes
      // those inside the repository and refuses the others, render/copy-tree.ts); no submodules
      const link = e.isSymbolicLink();
      if (!e.isFile() && !link) continue;
      const rel = join(e.parentPath, e.name).slice(tree.length + 1);
      const parts = rel.split("/");
      files.push({ rel, parts, link });
      if (!link && e.name === SOURCE_IGNORE_FILE) ignoreFiles.push({ dir: parts.slice(0, -1), text: await readFile(join(tree, rel), "utf8") });
    }
    const excluded = buildIgnoreFilter(ignoreFiles, specIgnore);
    const kept: ArtifactFile[] = [];
    let size = 0;
    for (const f of files) {
      if (excluded(f.parts, false)) continue;
      const from = join(tree, f.rel);
      const to = join(staging, f.rel);
      if (f.link) {
        const target = await readlink(from);
        await mkdir(dirname(to), { recursive: true });
        await rename(from, to);
        kept.push({ path: f.rel, executable: false, size: Buffer.byteLength(target), link: target });
        continue;
      }
      const st = await stat(from);
      const executable = (st.mode & 0o111) !== 0;
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
      await chmod(to, executable ? 0o755 : 0o644);
      kept.push({ path: f.rel, executable, size: st.size });
      size += st.size;
    }
    const digest = await digestFiles(staging, kept);
    const artifactsRoot = join(cacheDir, "artifacts");
    await mkdir(artifactsRoot, { recursive: true });
    const dir = join(artifactsRoot, digest.slice("sha256:".length));
    if (!existsSync(dir)) {
      try {
        await rename(staging, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw e;
      }
    }
    return { dir, digest, size };
  } catch (e) {
    throw toSourceError(ctx, e, "building artifact");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
