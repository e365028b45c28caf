/** Finds the control-plane binaries: $KUBEBUILDER_ASSETS, the per-machine build cache, then PATH. */
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export const KUBE_VERSION = "1.20.2";
export const BINARY_NAMES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubemark"] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];
export type Binaries = Record<BinaryName, string>;

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env["PLUMBLINE_CACHE"] ?? join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "plumbline");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBinaries(env: NodeJS.ProcessEnv = process.env): Binaries {
  const dirs = [
    env["KUBEBUILDER_ASSETS"],
    join(cacheRoot(env), `kube-${KUBE_VERSION}`, "bin"),
    ...(env["PATH"] ?? "").split(delimiter),
    "/usr/bin",
    "/usr/local/bin",
  ].filter((d): d is string => !!d);
  const found: Partial<Binaries> = {};
  const missing: string[] = [];
  for (const name of BINARY_NAMES) {
    const dir = dirs.find((d) => executable(join(d, name)));
    if (dir) found[name] = join(dir, name);
    else missing.push(name);
  }
  if (missing.length) {
    throw new Error(
      `local control plane: missing binaries ${missing.join(", ")}; run \`bash scripts/install-system-deps.sh && bash scripts/build-control-plane.sh\` ` +
        `(builds Kubernetes ${KUBE_VERSION} once into ${join(cacheRoot(env), `kube-${KUBE_VERSION}`, "bin")}) or set KUBEBUILDER_ASSETS`,
    );
  }
  return found as Binaries;
}
