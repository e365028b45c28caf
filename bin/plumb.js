#!/usr/bin/env node
// Entry point for the installed `plumb` binary. Node 24 runs the TypeScript sources directly.
import { main } from "../src/cli/main.ts";
import { processIo } from "../src/cli/io.ts";

main(process.argv.slice(2), processIo).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`plumb: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
