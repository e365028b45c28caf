/**
 * The bad-input corpus: themes of cases, each a bad commit on top of a good tree that is already synced.
 * For every case the runner commits the bad input, runs the real `plumb sync`, and requires a non-zero exit,
 * an error naming the file or object, and no managed object changed (uid and resourceVersion); then it commits
 * the good tree again and requires recovery (exit 0, the objects as expected).
 *
 * A theme shares one repository and one namespace among its cases, so the corpus stays within minutes.
 */
import type { KubeClient } from "../../../src/kube/client.ts";
import type { FileMap } from "../../support/git-repo.ts";

export interface ThemeContext {
  kube: KubeClient;
  /** The theme's namespace: the bootstrap GitRepository and Kustomization live here, and (mostly) the objects. */
  ns: string;
  /** A private directory for keys and other files outside the repository (removed at the end). */
  dir: string;
}

export interface CorpusCase {
  name: string;
  /** Changes to the good tree (path -> content; null deletes). */
  files?: FileMap;
  /** Symlinks to create (path in the repository -> link target, as `ln -s` takes it). */
  links?: Record<string, string>;
  /** The combined output of `plumb sync` must match: it names the file or the object. */
  error: RegExp;
  /**
   * Objects (`Kind/namespace/name`) the bad commit may legitimately change: a child Kustomization whose new
   * spec the API server accepts is applied by its parent, and then fails on its own.
   */
  mayChange?: string[];
  /** Set while the fix for this case has not landed; the case still runs and reports. */
  todo?: string;
}

export interface ThemeSpec {
  /** The tree every case starts from and returns to. */
  good: FileMap;
  cases: CorpusCase[];
  /** Checks the objects the good tree must produce (after the first sync and after every recovery). */
  expect(kube: KubeClient, ns: string): Promise<void>;
  /** More arguments for `plumb sync` (age keys, credentials). */
  syncArgs?: string[];
  /** More environment for `plumb sync` (a password for --password-env). */
  syncEnv?: Record<string, string>;
}

export interface Theme {
  title: string;
  /** Namespace prefix. */
  prefix: string;
  setup(ctx: ThemeContext): Promise<ThemeSpec>;
}
