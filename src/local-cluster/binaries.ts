/** Finds the control-plane binaries of a Kubernetes line: $KUBEBUILDER_ASSETS, the per-machine build cache, then (1.20 only) PATH. */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { plumblineCache } from "../core/cache-dir.ts";
import type { KubeLine } from "./flags.ts";

/** The lines `plumb local up --kubernetes` accepts, with the exact release each builds. */
export const KUBE_RELEASES: Record<KubeLine, { version: string; build: string }> = {
  // Keep in step with tools/kube/go.mod (a unit test checks).
  current: { version: "1.37.2", build: "bash scripts/build-kube.sh" },
  "1.20": { version: "1.20.2", build: "bash scripts/install-system-deps.sh && bash scripts/build-control-plane.sh" },
};
/** The line `plumb local up` starts without --kubernetes. */
export const DEFAULT_KUBE_LINE: KubeLine = "current";
/** @deprecated the default line's release; use KUBE_RELEASES. */
export const KUBE_VERSION = KUBE_RELEASES[DEFAULT_KUBE_LINE].version;

export const BINARY_NAMES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubemark"] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];
export type Binaries = Record<BinaryName, string>;

/** The per-machine cache the planes are built into (core/cache-dir.ts: one rule with the tools and the build scripts). */
export const cacheRoot = plumblineCache;

/** `1.37`, `1.37.2`, `current` or `1.20` to a line; throws on anything else. */
export function parseKubeLine(value: string | undefined): KubeLine {
  if (value === undefined || value === "") return DEFAULT_KUBE_LINE;
  if (value === "current") return "current";
  for (const [line, r] of Object.entries(KUBE_RELEASES) as [KubeLine, { version: string }][]) {
    const minor = r.version.split(".").slice(0, 2).join(".");
    if (value === minor || value === r.version || value === `v${r.version}`) return line;
  }
  const known = Object.values(KUBE_RELEASES).map((r) => r.version.split(".").slice(0, 2).join("."));
  throw new Error(`unsupported Kubernetes version "${value}": one of ${known.join(", ")}`);
}

export function binDir(line: KubeLine, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), `kube-${KUBE_RELEASES[line].version}`, "bin");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBinaries(line: KubeLine = DEFAULT_KUBE_LINE, env: NodeJS.ProcessEnv = process.env): Binaries {
  // The current line brings its own etcd: a system one (Debian's is 3.4) is never picked up for it.
  const dirs = [
    env["KUBEBUILDER_ASSETS"],
    binDir(line, env),
    ...(line === "1.20" ? [...(env["PATH"] ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"] : []),
  ].filter((d): d is string => !!d);
  const found: Partial<Binaries> = {};
  const missing: string[] = [];
  for (const name of BINARY_NAMES) {
    const dir = dirs.find((d) => executable(join(d, name)));
    if (dir) found[name] = join(dir, name);
    else missing.push(name);
  }
  if (missing.length) {
    const r = KUBE_RELEASES[line];
    throw new Error(
      `local control plane: missing binaries ${missing.join(", ")} for Kubernetes ${r.version}; run \`${r.build}\` ` +
        `(builds them once into ${binDir(line, env)}) or set KUBEBUILDER_ASSETS`,
    );
  }
  return found as Binaries;
}

/**
 * The directory holding only the kubectl built with the current plane (scripts/build-kube.sh), for PATH: tests and the
 * demo use that kubectl, not whatever one a machine happens to ship. Undefined when it is not built.
 */
export function bundledKubectlDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = join(cacheRoot(env), `kube-${KUBE_RELEASES.current.version}`, "kubectl-bin");
  return executable(join(dir, "kubectl")) ? dir : undefined;
}

/** PATH with the bundled kubectl first (unchanged when it is not built). */
export function pathWithBundledKubectl(env: NodeJS.ProcessEnv = process.env): string {
  const dir = bundledKubectlDir(env);
  const path = env["PATH"] ?? "";
  return dir ? `${dir}${delimiter}${path}` : path;
}
