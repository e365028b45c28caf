/** `plumb`: the command-line host of the engine. One top-level catch maps errors to exit codes. */
import { errorMessage } from "../core/errors.ts";
import { processIo, type CliIo } from "./io.ts";
import { handleShutdownSignals } from "./shutdown.ts";
import { sweepPlaintextLeftovers } from "../render/sops/plaintext-dir.ts";

/** How long, after SIGTERM or SIGINT, a sync may take to let requests in flight finish and write status; build and diff write nothing. */
const GRACE_MS = { sync: 30_000, build: 2_000, diff: 2_000 } as const;

const USAGE = `plumb: GitOps for Kubernetes, speaking Flux's v1 API

usage:
  plumb build --source <url|path> [--branch|--tag|--semver|--commit X] --path <dir>
  plumb diff  --source <url|path> [ref flags] --path <dir>        exit 0 no change, 1 changes, 2 error
  plumb sync  --source <url|path> [ref flags] --path <dir> [-o table|json]
              [--watch [--interval 1m0s] [--watch-duration SECONDS]]   keep reconciling: sources polled at their
                                                                 interval, drift corrected through watches
  plumb demo                                                      local control plane + example repo
  plumb local up|down|status [--name N] [--kubernetes 1.37|1.20]  a real control plane on loopback
  plumb local stop|start|restart|pause|continue COMPONENT --name N  one component of a local plane
  plumb sops encrypt|decrypt FILE [--in-place]
  plumb check --pre [--kubeconfig F] [--context C]               Kubernetes version; kustomize, helm, sops, age used

build, diff and sync also take: [--namespace flux-system] [--kubeconfig F] [--context C]
  [--secret-ref NAME | --username U --password-env VAR | --private-key-file F --known-hosts-file F]
  [--cache-dir D] [--allow-empty] [-v]
sync also takes: [--age-key-file F ...]  age identities stored as Secret <namespace>/sops-age (age.agekey)
build also takes: [--age-key-file F ...] (else SOPS_AGE_KEY_FILE / SOPS_AGE_KEY) to decrypt; Secrets print masked
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd && cmd !== "sops" && (rest.includes("--help") || rest.includes("-h"))) {
    io.stdout(USAGE);
    return 0;
  }
  switch (cmd) {
    case "local":
      return (await import("./commands/local.ts")).runLocalCommand(rest, io);
    case "build":
    case "diff":
    case "sync": {
      // SIGTERM and SIGINT end the command gracefully and its exit code is 143 or 130 (cli/shutdown.ts)
      const shutdown = handleShutdownSignals({ graceMs: GRACE_MS[cmd], notice: io.stderr });
      removeLeftovers(io);
      try {
        const code = await (await import("./commands/engine.ts")).runEngineCommand(cmd, rest, io, shutdown.signal);
        return shutdown.exitCode() ?? code;
      } finally {
        shutdown.dispose();
      }
    }
    case "demo":
      return (await import("./commands/demo.ts")).runDemo(rest, io);
    case "sops":
      return (await import("./commands/sops.ts")).runSopsCommand(rest, io);
    case "check":
      return (await import("./commands/check.ts")).runCheckCommand(rest, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.stdout(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      io.stderr(`plumb: unknown command "${cmd}"\n${USAGE}`);
      return 2;
  }
}

/** Decrypted SOPS inputs a killed plumb left on tmpfs (its exit hooks never ran) are removed at the next start. */
function removeLeftovers(io: CliIo): void {
  try {
    const removed = sweepPlaintextLeftovers(io.env);
    if (removed.length) io.stderr(`plumb: removed decrypted SOPS inputs (${removed.length} director${removed.length === 1 ? "y" : "ies"}) left by processes no longer running\n`);
  } catch (err) {
    io.stderr(`plumb: warning: could not remove decrypted SOPS inputs left by earlier processes: ${errorMessage(err)}\n`);
  }
}

if (import.meta.main) {
  main(process.argv.slice(2), processIo).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`plumb: ${errorMessage(err)}\n`);
      process.exit(2);
    },
  );
}
