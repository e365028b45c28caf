/** Local Git repositories for tests, built from inline file maps with the real git binary. */
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/** File path -> content; `null` deletes the file. Content starting with "#!" is made executable. */
export type FileMap = Record<string, string | null>;

export interface RepoOptions {
  /** Initial branch name (default "main"). */
  branch?: string;
  /** Commit message of the first commit (default "initial"). */
  message?: string;
}

export interface TestRepo {
  /** Working directory of the (non-bare) repository. */
  dir: string;
  /** Writes/deletes files, commits everything, returns the new commit's sha. */
  commit(files: FileMap, message?: string): Promise<string>;
  /** Tags HEAD (or `at`); annotated when a message is given. */
  tag(name: string, opts?: { message?: string; at?: string }): Promise<void>;
  /** Creates a branch at HEAD (or `from`) and checks it out. */
  branch(name: string, from?: string): Promise<void>;
  checkout(name: string): Promise<void>;
  head(): Promise<string>;
  /** Runs git in the repo and returns stdout. */
  git(...args: string[]): Promise<string>;
  /** Creates (or updates) a bare copy `<root>/<name>` holding all branches and tags; returns its path. */
  publish(root: string, name: string): Promise<string>;
  /** Removes the working directory. */
  remove(): Promise<void>;
}

const GIT_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_"))),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Plumbline Test",
  GIT_AUTHOR_EMAIL: "test@plumbline.invalid",
  GIT_COMMITTER_NAME: "Plumbline Test",
  GIT_COMMITTER_EMAIL: "test@plumbline.invalid",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec("git", ["-c", "commit.gpgSign=false", "-c", "tag.gpgSign=false", ...args], { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function applyFiles(dir: string, files: FileMap): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const abs = join(dir, path);
    if (content === null) {
      await rm(abs, { force: true });
      continue;
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, content);
    if (content.startsWith("#!")) await chmod(abs, 0o755);
  }
}

export async function createRepo(files: FileMap, opts: RepoOptions = {}): Promise<TestRepo> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-repo-"));
  const branch = opts.branch ?? "main";
  await git(dir, "init", "--quiet", `--initial-branch=${branch}`);
  // Distinct, increasing commit times so semver tie-breaks by time are deterministic.
  let tick = 1_700_000_000;
  const commit = async (f: FileMap, message = "update"): Promise<string> => {
    await applyFiles(dir, f);
    await git(dir, "add", "--all");
    tick += 60;
    const date = `@${tick} +0000`;
    await exec("git", ["commit", "--quiet", "--allow-empty", "-m", message], { cwd: dir, env: { ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
    return (await git(dir, "rev-parse", "HEAD")).trim();
  };
  await commit(files, opts.message ?? "initial");
  const repo: TestRepo = {
    dir,
    commit,
    async tag(name, o = {}) {
      const at = o.at ?? "HEAD";
      if (o.message !== undefined) await git(dir, "tag", "-a", "-m", o.message, name, at);
      else await git(dir, "tag", name, at);
    },
    async branch(name, from) {
      await git(dir, "checkout", "--quiet", "-b", name, ...(from ? [from] : []));
    },
    async checkout(name) {
      await git(dir, "checkout", "--quiet", name);
    },
    async head() {
      return (await git(dir, "rev-parse", "HEAD")).trim();
    },
    git: (...args) => git(dir, ...args),
    async publish(root, name) {
      const bare = join(root, name);
      await mkdir(root, { recursive: true });
      await git(root, "init", "--quiet", "--bare", bare).catch(() => undefined);
      await git(dir, "push", "--quiet", "--force", "--prune", bare, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*");
      await git(bare, "symbolic-ref", "HEAD", `refs/heads/${branch}`);
      return bare;
    },
    async remove() {
      await rm(dir, { recursive: true, force: true });
    },
  };
  return repo;
}
