/**
 * Finds the real kustomize: `kustomize` on PATH, else the pinned build in the tools cache
 * (scripts/build-tools.sh), else, last, a kubectl on PATH whose embedded kustomize is v5 (kubectl >= 1.27;
 * an older one embeds kustomize v2 to v4, which builds some trees differently, and is not used).
 */
import { execFileSync } from "node:child_process";
import { delimiter, join } from "node:path";
import { findTool, isExecutable, missingToolMessage } from "./tool-finder.ts";
import { majorOf, parseToolVersion, VERSION_ARGS } from "./tool-version.ts";

export interface KustomizeCommand {
  cmd: string;
  args: string[];
  /** Where it came from; absent in commands made by hand (tests). */
  from?: "PATH" | "cache" | "kubectl";
}

/** The kustomize version a kubectl embeds, asked once per path (undefined: none it reports, i.e. before 1.24). */
const kubectlKustomize = new Map<string, string | undefined>();
export function kubectlKustomizeVersion(kubectl: string): string | undefined {
  if (!kubectlKustomize.has(kubectl)) {
    let v: string | undefined;
    try {
      v = parseToolVersion("kubectl", execFileSync(kubectl, VERSION_ARGS.kubectl, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }));
    } catch {
      v = undefined; // a kubectl that cannot say is not used; the caller reports kustomize as missing
    }
    kubectlKustomize.set(kubectl, v);
  }
  return kubectlKustomize.get(kubectl);
}

export function findKustomize(env: NodeJS.ProcessEnv = process.env, executable: (path: string) => boolean = isExecutable): KustomizeCommand {
  const k = findTool("kustomize", env, executable);
  if (k) return { cmd: k.path, args: ["build"], from: k.from };
  const kubectl = (env["PATH"] ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "kubectl")).find(executable);
  if (kubectl && majorOf(kubectlKustomizeVersion(kubectl)) === 5) return { cmd: kubectl, args: ["kustomize"], from: "kubectl" };
  const old = kubectl ? ` (${kubectl} embeds kustomize ${kubectlKustomizeVersion(kubectl) ?? "older than v5"}, not used)` : "";
  throw new Error(missingToolMessage("kustomize", env) + old);
}
