/** Which version a tool binary is: the arguments that ask it (pure), the parse of its answer (pure), and the run. */
import { execFile } from "node:child_process";
import type { ToolName } from "./tool-finder.ts";

/** Arguments that print the version and nothing else; sops would otherwise ask the network for its latest release. */
export const VERSION_ARGS: Record<ToolName | "kubectl", string[]> = {
  kustomize: ["version"],
  helm: ["version", "--short"],
  sops: ["--version", "--disable-version-check"],
  age: ["--version"],
  "age-keygen": ["--version"],
  kubectl: ["version", "--client", "-o", "json"],
};

/**
 * The version in a tool's answer, as `v1.2.3` (a `v` added where the tool prints none, e.g. sops and Debian's age;
 * helm's `+g<commit>` dropped). For kubectl, the kustomize it embeds (`kustomizeVersion`, absent before 1.24).
 */
export function parseToolVersion(name: ToolName | "kubectl", output: string): string | undefined {
  let text = output;
  if (name === "kubectl") {
    try {
      text = String((JSON.parse(output) as { kustomizeVersion?: unknown }).kustomizeVersion ?? "");
    } catch {
      return undefined;
    }
  }
  const m = /(?:^|[\s/])v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(text);
  return m ? `v${m[1]}` : undefined;
}

/** The major version of `v5.8.2`, or undefined. */
export function majorOf(version: string | undefined): number | undefined {
  const m = /^v?(\d+)\./.exec(version ?? "");
  return m ? Number(m[1]) : undefined;
}

/** Runs the tool's version command (10 s at most); rejects with what it said when it fails or prints no version. */
export function toolVersion(name: ToolName | "kubectl", path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, VERSION_ARGS[name], { timeout: 10_000, encoding: "utf8" }, (err, stdout, stderr) => {
      const v = err ? undefined : parseToolVersion(name, stdout);
      if (v) resolve(v);
      else reject(new Error(`${path} ${VERSION_ARGS[name].join(" ")}: ${err ? err.message.split("\n")[0] : `no version in its output ${JSON.stringify((stdout + stderr).slice(0, 200))}`}`));
    });
  });
}
