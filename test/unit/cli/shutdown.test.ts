/** Graceful shutdown: the first signal aborts with its reason and exit code, a second one or the grace period ends the process. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { exitCodeFor, handleShutdownSignals, Interrupted } from "../../../src/cli/shutdown.ts";

function fakeProcess(): EventEmitter & Pick<NodeJS.Process, "on" | "off"> {
  return new EventEmitter() as EventEmitter & Pick<NodeJS.Process, "on" | "off">;
}

test("exit codes are 128 + the signal's number", () => {
  assert.equal(exitCodeFor("SIGTERM"), 143);
  assert.equal(exitCodeFor("SIGINT"), 130);
});

test("the first SIGTERM aborts the signal and sets 143; a second one exits at once with it", () => {
  const target = fakeProcess();
  const exits: number[] = [];
  const notices: string[] = [];
  const s = handleShutdownSignals({ graceMs: 60_000, notice: (t) => notices.push(t), exit: (c) => exits.push(c), target });
  assert.equal(s.signal.aborted, false);
  assert.equal(s.exitCode(), undefined);
  target.emit("SIGTERM");
  assert.equal(s.signal.aborted, true);
  assert.ok(s.signal.reason instanceof Interrupted);
  assert.equal((s.signal.reason as Error).message, "interrupted by SIGTERM");
  assert.equal(s.exitCode(), 143);
  assert.deepEqual(exits, [], "the command finishes its writes first");
  assert.match(notices[0] ?? "", /SIGTERM: no new writes; waiting for requests in flight and writing status \(at most 60 s/);
  target.emit("SIGINT");
  assert.deepEqual(exits, [143], "a second signal exits now, with the first signal's code");
  s.dispose();
  assert.equal(target.listenerCount("SIGTERM") + target.listenerCount("SIGINT"), 0, "dispose removes the handlers");
});

test("SIGINT: 130; the grace period ends the process when the command does not finish", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const target = fakeProcess();
  const exits: number[] = [];
  const s = handleShutdownSignals({ graceMs: 30_000, notice: () => {}, exit: (c) => exits.push(c), target });
  target.emit("SIGINT");
  assert.equal(s.exitCode(), 130);
  t.mock.timers.tick(29_999);
  assert.deepEqual(exits, []);
  t.mock.timers.tick(1);
  assert.deepEqual(exits, [130]);
  s.dispose();
});

test("dispose before the grace period ends cancels the forced exit", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const target = fakeProcess();
  const exits: number[] = [];
  const s = handleShutdownSignals({ graceMs: 10_000, notice: () => {}, exit: (c) => exits.push(c), target });
  target.emit("SIGTERM");
  s.dispose();
  t.mock.timers.tick(60_000);
  assert.deepEqual(exits, []);
});
