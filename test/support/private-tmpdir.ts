/**
 * Import this first in a test file: it points TMPDIR (read by os.tmpdir() at every call) at a fresh private
 * directory, so every temp file the test and the engine create in this process (render copies, kustomize's
 * files, Git repos, the artifact cache) lands there and can be inspected afterwards.
 */
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PRIVATE_TMPDIR = realpathSync(mkdtempSync(join(tmpdir(), "plumbline-private-tmp-")));
process.env["TMPDIR"] = PRIVATE_TMPDIR;
