/**
 * Finds the real tools Plumbline runs or reports (kustomize, helm, sops, age): on PATH first, else in the
 * per-machine tools cache that `bash scripts/build-tools.sh` fills from the tools' Go modules.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { plumblineCache } from "../core/cache-dir.ts";

export { plumblineCache };

export const TOOL_NAMES = ["kustomize", "helm", "sops", "age", "age-keygen"] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export interface FoundTool {
  name: ToolName;
  path: string;
  /** Where it was found: a PATH directory, or the tools cache. */
  from: "PATH" | "cache";
}


/** Where scripts/build-tools.sh puts the tools. */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(plumblineCache(env), "tools", "bin");
}

/** The command that builds the pinned tools into the cache (an absolute path: it works from any directory). */
export const BUILD_TOOLS_COMMAND = `bash ${fileURLToPath(new URL("../../scripts/build-tools.sh", import.meta.url))}`;

/** The places a tool is looked for, in order: each PATH directory, then the tools cache. */
export function toolCandidates(name: string, env: NodeJS.ProcessEnv = process.env): { path: string; from: FoundTool["from"] }[] {
  const dirs = (env["PATH"] ?? "").split(delimiter).filter(Boolean);
  return [...dirs.map((d) => ({ path: join(d, name), from: "PATH" as const })), { path: join(toolsBinDir(env), name), from: "cache" as const }];
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable candidate, or undefined. */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env, executable: (path: string) => boolean = isExecutable): FoundTool | undefined {
  const hit = toolCandidates(name, env).find((c) => executable(c.path));
  return hit && { name, ...hit };
}

/** What a user does to get a missing tool; the same text in `plumb check --pre` and in the error. */
export function howToGet(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return `put ${name} on PATH, or run \`${BUILD_TOOLS_COMMAND}\` (builds the pinned version once into ${toolsBinDir(env)}; needs Go 1.26)`;
}

export function missingToolMessage(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  return `${name} not found on PATH nor in ${toolsBinDir(env)}: ${howToGet(name, env)}`;
}

/** A tool that must be there (tests, helm-using code); throws the missing-tool message otherwise. */
export function requireTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): FoundTool {
  const found = findTool(name, env);
  if (!found) throw new Error(missingToolMessage(name, env));
  return found;
}

/** helm: on PATH, else in the tools cache. */
export function findHelm(env: NodeJS.ProcessEnv = process.env): FoundTool {
  return requireTool("helm", env);
}
