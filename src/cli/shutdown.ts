/**
 * Graceful shutdown of the engine commands on SIGTERM and SIGINT. The first signal aborts `signal`: no new
 * write starts, requests in flight complete, each running reconcile records its status and inventory, and the
 * command returns `exitCode` (128 + the signal's number: 143, 130). If that takes longer than the grace period,
 * or a second signal comes, the process exits at once with that code; the `exit` hooks still remove temporary
 * directories (staged trees, decrypted SOPS inputs). Only SIGKILL skips them, and the next start removes what a
 * dead process left (see render/sops/plaintext-dir.ts).
 */

export type ShutdownSignal = "SIGTERM" | "SIGINT";

const SIGNAL_NUMBERS: Record<ShutdownSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** The shell's convention for a process ended by a signal: 128 + its number. */
export function exitCodeFor(sig: ShutdownSignal): number {
  return 128 + SIGNAL_NUMBERS[sig];
}

export class Interrupted extends Error {
  readonly signalName: ShutdownSignal;
  constructor(sig: ShutdownSignal) {
    super(`interrupted by ${sig}`);
    this.name = "Interrupted";
    this.signalName = sig;
  }
}

export interface Shutdown {
  /** Aborted by the first signal; its reason is an Interrupted error ("interrupted by SIGTERM"). */
  readonly signal: AbortSignal;
  /** The exit code once a signal came (143 for SIGTERM, 130 for SIGINT), else undefined. */
  exitCode(): number | undefined;
  /** Removes the handlers (the command is done): a later signal has its default effect again. */
  dispose(): void;
}

export interface ShutdownOptions {
  /** How long the command may take to finish after the first signal. */
  graceMs: number;
  /** Where the notice about the shutdown goes (stderr). */
  notice: (text: string) => void;
  /** Ends the process (process.exit, which runs the exit hooks); replaced in tests. */
  exit?: (code: number) => void;
  /** The process to listen on; replaced in tests. */
  target?: Pick<NodeJS.Process, "on" | "off">;
}

export function handleShutdownSignals(o: ShutdownOptions): Shutdown {
  const ctrl = new AbortController();
  const target = o.target ?? process;
  const exit = o.exit ?? ((code: number) => process.exit(code));
  let code: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (sig: ShutdownSignal): void => {
    if (code !== undefined) {
      o.notice(`plumb: ${sig} again: exiting now\n`);
      exit(code);
      return;
    }
    code = exitCodeFor(sig);
    o.notice(`plumb: ${sig}: no new writes; waiting for requests in flight and writing status (at most ${Math.round(o.graceMs / 1000)} s; ${sig} again exits now)\n`);
    ctrl.abort(new Interrupted(sig));
    timer = setTimeout(() => {
      o.notice(`plumb: still busy ${Math.round(o.graceMs / 1000)} s after ${sig}: exiting\n`);
      exit(code as number);
    }, o.graceMs);
    timer.unref(); // the grace period never keeps a finished process alive
  };
  const onTerm = (): void => onSignal("SIGTERM");
  const onInt = (): void => onSignal("SIGINT");
  target.on("SIGTERM", onTerm);
  target.on("SIGINT", onInt);
  return {
    signal: ctrl.signal,
    exitCode: () => code,
    dispose: () => {
      target.off("SIGTERM", onTerm);
      target.off("SIGINT", onInt);
      if (timer) clearTimeout(timer);
    },
  };
}
