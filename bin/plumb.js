#!/usr/bin/env node
// Entry point for the installed `plumb` binary. Node 24 runs the TypeScript sources directly.
import "../src/cli/main.ts";
