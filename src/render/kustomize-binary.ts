/** Finds the real kustomize: `kustomize` on PATH, else `kubectl kustomize`. */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface KustomizeCommand {
  cmd: string;
  args: string[];
}

export function findKustomize(env: NodeJS.ProcessEnv = process.env): KustomizeCommand {
  const dirs = (env["PATH"] ?? "").split(delimiter).filter(Boolean);
  const on = (name: string): string | undefined => {
    for (const d of dirs) {
      try {
        accessSync(join(d, name), constants.X_OK);
        return join(d, name);
      } catch { /* next */ }
    }
    return undefined;
  };
  const k = on("kustomize");
  if (k) return { cmd: k, args: ["build"] };
  const kubectl = on("kubectl");
  if (kubectl) return { cmd: kubectl, args: ["kustomize"] };
  throw new Error("kustomize not found: install kustomize or kubectl (which embeds it) on PATH");
}
