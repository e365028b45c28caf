import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hollowRootDirs, REMOVE_HOLLOW_ROOT_DIRS_SH } from "../../../src/local-cluster/leftovers.ts";

const line = (dir: string): string => `I1203 08:06:52.140180    2084 hollow_kubelet.go:153] Using ${dir} as root dir for hollow-kubelet\n`;

test("a node log names the hollow kubelet's root directory of each start, and nothing else", () => {
  const log = line("/tmp/hollow-kubelet.485453287") + `I1203 kubelet.go:389] "Adding static pod path" path="/tmp/hollow-kubelet.485453287/static-pods1"\n` + line("/tmp/hollow-kubelet.12") + line("/tmp/hollow-kubelet.12");
  assert.deepEqual(hollowRootDirs(log), ["/tmp/hollow-kubelet.485453287", "/tmp/hollow-kubelet.12"]);
  assert.deepEqual(hollowRootDirs(line("/etc/hollow-kubelet.1") + line("/tmp/hollow-kubelet.1/../..")), [], "only kubemark's own /tmp/hollow-kubelet.<digits> names");
});

test("the watchdog's shell removes the root directories its plane's node logs name", (t) => {
  const plane = mkdtempSync(join(tmpdir(), "plumbline-leftovers-test-"));
  const root = `/tmp/hollow-kubelet.${process.pid}${Date.now()}`;
  const other = `/tmp/hollow-kubelet.${process.pid}${Date.now()}9`;
  t.after(() => {
    for (const d of [plane, root, other]) rmSync(d, { recursive: true, force: true });
  });
  mkdirSync(join(root, "pod-logs"), { recursive: true });
  mkdirSync(other);
  writeFileSync(join(plane, "node-1.log"), line(root));
  execFileSync("sh", ["-c", REMOVE_HOLLOW_ROOT_DIRS_SH, "x"], { env: { ...process.env, dir: plane } });
  assert.equal(existsSync(root), false);
  assert.equal(existsSync(other), true, "a directory no log of this plane names stays");
});
