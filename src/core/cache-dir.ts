/**
 * The per-machine cache of Plumbline: `$PLUMBLINE_CACHE`, else `$XDG_CACHE_HOME/plumbline`, else
 * `~/.cache/plumbline`; an empty variable counts as unset, as in scripts/lib/go-build.sh
 * (`${PLUMBLINE_CACHE:-...}`), which builds into the same place. Holds the control planes' and tools' builds.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export function plumblineCache(env: NodeJS.ProcessEnv = process.env): string {
  return env["PLUMBLINE_CACHE"] || join(env["XDG_CACHE_HOME"] || join(env["HOME"] || homedir(), ".cache"), "plumbline");
}
