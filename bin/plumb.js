#!/usr/bin/env node
// Entry point for the installed `plumb` binary. Node 24 runs the TypeScript sources directly.
// The compile cache (in the OS temp directory, or $NODE_COMPILE_CACHE) keeps the compiled modules between runs,
// which halves start-up; it must be on before the modules load, hence the dynamic imports.
import module from "node:module";

module.enableCompileCache?.();
const { main } = await import("../src/cli/main.ts");
const { processIo } = await import("../src/cli/io.ts");

main(process.argv.slice(2), processIo).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`plumb: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
