/**
 * One private, confined copy of a source artifact per process, shared by every render of that artifact
 * (artifacts are content-addressed and never change). Renders never write into the shared files: each adds a
 * private directory beside its spec.path (see render-dir.ts) and removes it when done. Renders that decrypt
 * SOPS data do not use this; they get a private copy of their own.
 *
 * Idle copies are kept for the next reconcile (watch mode) up to a small number, then removed; all are removed
 * when the process exits.
 */
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyTreeConfined } from "./copy-tree.ts";
import type { RefusedLinks } from "./refused-links.ts";

/** Idle staged copies kept (a new revision of a source stages anew). */
const KEEP_IDLE = 2;

export interface StagedTree {
  /** Real path of the copy's root (the repository root). */
  root: string;
  /** An empty private directory (HOME of kustomize). */
  home: string;
  /** Parsed YAML files of this copy by absolute path, shared by the renders of this artifact. */
  parsed: Map<string, unknown[]>;
  /** Symlinks of the source that were not copied (leaving the repository, dangling, loops). */
  links: RefusedLinks;
  /** Ends this render's use of the copy. */
  release(): void;
}

interface Entry {
  dir: string;
  ready: Promise<Staged>;
  users: number;
  lastUsed: number;
}

const entries = new Map<string, Entry>();
let exitHookInstalled = false;

function removeAllAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const e of entries.values()) rmSync(e.dir, { recursive: true, force: true });
  });
}

function evictIdle(): void {
  const idle = [...entries].filter(([, e]) => e.users === 0).sort((a, b) => b[1].lastUsed - a[1].lastUsed);
  for (const [key, e] of idle.slice(KEEP_IDLE)) {
    entries.delete(key);
    void rm(e.dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

type Staged = Omit<StagedTree, "release">;

async function stage(sourceDir: string, dir: string): Promise<Staged> {
  const root = join(dir, "src");
  const home = join(dir, "home");
  await mkdir(home, { mode: 0o700 });
  const links = await copyTreeConfined(sourceDir, root);
  return { root: await realpath(root), home, parsed: new Map(), links };
}

/**
 * The shared staged copy of `sourceDir`, an artifact directory whose content never changes (copied on first use;
 * the digest, when known, is part of the key). Call release() when the render is done.
 */
export async function acquireStagedTree(sourceDir: string, digest?: string): Promise<StagedTree> {
  const key = `${await realpath(sourceDir)}\n${digest ?? ""}`;
  let entry = entries.get(key);
  if (!entry) {
    removeAllAtExit();
    const dir = await mkdtemp(join(tmpdir(), "plumbline-stage-"));
    // another render may have staged it while we made the directory
    entry = entries.get(key);
    if (entry) await rm(dir, { recursive: true, force: true });
    else {
      entry = { dir, ready: stage(sourceDir, dir), users: 0, lastUsed: Date.now() };
      entries.set(key, entry);
    }
  }
  const e = entry;
  e.users++;
  e.lastUsed = Date.now();
  let staged;
  try {
    staged = await e.ready;
  } catch (err) {
    e.users--;
    if (entries.get(key) === e) {
      entries.delete(key); // a failed copy is not kept
      void rm(e.dir, { recursive: true, force: true }).catch(() => undefined);
    }
    throw err;
  }
  let released = false;
  return {
    root: staged.root,
    home: staged.home,
    parsed: staged.parsed,
    links: staged.links,
    release: () => {
      if (released) return;
      released = true;
      e.users--;
      e.lastUsed = Date.now();
      evictIdle();
    },
  };
}
