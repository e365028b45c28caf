/**
 * A tiny shell watchdog that tears a control plane down when its owner process dies,
 * so a crashed or killed test run leaves nothing running and nothing on disk.
 */
import { spawn } from "node:child_process";
import { REMOVE_HOLLOW_ROOT_DIRS_SH } from "./leftovers.ts";

const SCRIPT = `
owner="$1"; dir="$2"; state="$3"
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -f "$dir/pids" ] || exit 0
pids=$(cat "$dir/pids")
for p in $pids; do kill -TERM "$p" 2>/dev/null; done
i=0; while [ $i -lt 20 ]; do alive=0; for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done; [ $alive = 0 ] && break; sleep 0.5; i=$((i+1)); done
for p in $pids; do kill -KILL "$p" 2>/dev/null; done
${REMOVE_HOLLOW_ROOT_DIRS_SH}
rm -rf "$dir"; [ -n "$state" ] && rm -f "$state"
`;

export function startReaper(ownerPid: number, dir: string, stateFile: string): number {
  const child = spawn("sh", ["-c", SCRIPT, "reaper", String(ownerPid), dir, stateFile], { detached: true, stdio: "ignore" });
  child.unref();
  return child.pid ?? 0;
}
