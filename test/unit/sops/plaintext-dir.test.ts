/** Where decrypted generator inputs may live (tmpfs only), and the sweep of what dead processes left. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { baseCandidates, chooseBase, pidOfEntry, sweepPlaintextLeftovers } from "../../../src/render/sops/plaintext-dir.ts";

const TMPFS = 0x01021994;
const EXT4 = 0xef53;

test("chooseBase: /dev/shm when it is tmpfs, else XDG_RUNTIME_DIR when it is tmpfs or ramfs, else none (never a disk)", () => {
  assert.equal(chooseBase([{ path: "/dev/shm", fsType: TMPFS }, { path: "/run/user/1000", fsType: TMPFS }]), "/dev/shm");
  assert.equal(chooseBase([{ path: "/dev/shm", fsType: EXT4 }, { path: "/run/user/1000", fsType: TMPFS }]), "/run/user/1000");
  assert.equal(chooseBase([{ path: "/dev/shm", fsType: undefined }, { path: "/run/user/1000", fsType: 0x858458f6 }]), "/run/user/1000");
  assert.equal(chooseBase([{ path: "/dev/shm", fsType: EXT4 }, { path: "/home/me/run", fsType: EXT4 }]), undefined);
  assert.equal(chooseBase([]), undefined);
  assert.deepEqual(baseCandidates({}), ["/dev/shm"]);
  assert.deepEqual(baseCandidates({ XDG_RUNTIME_DIR: "/run/user/1000" }), ["/dev/shm", "/run/user/1000"]);
});

test("pidOfEntry reads only our directory names", () => {
  assert.equal(pidOfEntry("plumbline-sops-4242-Ab3xYz"), 4242);
  assert.equal(pidOfEntry("plumbline-sops-4242"), undefined);
  assert.equal(pidOfEntry("plumbline-sops-x-Ab3xYz"), undefined);
  assert.equal(pidOfEntry("plumbline-stage-123456"), undefined);
  assert.equal(pidOfEntry("other"), undefined);
});

test("sweepPlaintextLeftovers removes a dead process's directory, keeps a live one's and what is not ours", (t) => {
  const base = mkdtempSync("/dev/shm/plumbline-sweep-test-");
  t.after(() => rmSync(base, { recursive: true, force: true }));
  // a pid that existed and has exited: a child that ran and was reaped
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
  const deadDir = join(base, `plumbline-sops-${dead}-Ab3xYz`);
  const liveDir = join(base, `plumbline-sops-${process.pid}-Cd4eFg`);
  const parentDir = join(base, `plumbline-sops-${process.ppid}-Hi5jKl`);
  const other = join(base, `plumbline-stage-${dead}`);
  for (const d of [deadDir, liveDir, parentDir, other]) mkdirSync(join(d, "render-x"), { recursive: true });
  const removed = sweepPlaintextLeftovers({ XDG_RUNTIME_DIR: base });
  assert.ok(removed.includes(deadDir), `removed: ${removed.join(", ")}`);
  assert.equal(existsSync(deadDir), false);
  assert.ok(existsSync(liveDir) && existsSync(parentDir) && existsSync(other), "live processes' directories and other names stay");
});
