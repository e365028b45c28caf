/**
 * The bad-input corpus against the real control plane through the real CLI (bin/plumb.js): every case is a bad
 * commit on a synced good tree that must fail naming the file or object, change no managed object, and recover
 * on the next good commit. Cases are defined by theme in the files next to this one.
 * PLUMBLINE_CORPUS_THEME=<prefix> runs one theme; PLUMBLINE_CORPUS_SHOW=1 prints each bad run's output.
 */
import { test } from "node:test";
import type { Theme } from "./corpus.ts";
import { fluxSpecs } from "./flux-specs.ts";
import { generatedAndLinks } from "./generated-and-links.ts";
import { invalidObjects } from "./invalid-objects.ts";
import { kustomizeErrors } from "./kustomize-errors.ts";
import { runTheme } from "./run-theme.ts";
import { sops } from "./sops.ts";
import { substitution } from "./substitution.ts";
import { yamlSyntax } from "./yaml-syntax.ts";

const themes: Theme[] = [yamlSyntax, kustomizeErrors, generatedAndLinks, invalidObjects, fluxSpecs, substitution, sops];
const only = process.env["PLUMBLINE_CORPUS_THEME"];

for (const theme of themes.filter((th) => !only || th.prefix === only)) test(theme.title, (t) => runTheme(t, theme));
