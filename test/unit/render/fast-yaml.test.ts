/**
 * The fast YAML path must give what the `yaml` package gives (the reference path, checked against kustomize in
 * direct-build.test.ts), or step aside. Compared on edge scalars, structures and every YAML file in the repository.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { globSync } from "node:fs";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { fastParse, fastPathAllowed, hasYaml11Scalars } from "../../../src/render/fast-yaml.ts";

/** The reference: the `yaml` package as parseYamlFile uses it; undefined when it reports an error. */
function reference(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  if (list.some((d) => d.errors.length)) return undefined;
  return list.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

const SCALARS = [
  "1_000", "0b101", "0x1F", "0x1f", "0o17", "0o8", "012", "09", "-0", "+12", "+0x1F", "-0o17", "0x", "0o", "1e3", "1E3", "1e+3",
  "1.5e3", "0.1e-2", "1e", "1e1000", "-1e1000", "0e0", ".5", "+.5", "-.5", "1.", "0.", "3.", "1.2.3", "1_0.5", ".inf", "-.Inf",
  "+.INF", ".NaN", ".nan", "NaN", "inf", "12345678901234567890", "yes", "no", "on", "off", "y", "n", "True", "TRUE", "true",
  "tRUE", "False", "~", "null", "Null", "NULL", "nULL", "", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1:2", "190:20:30",
  "+", ".", "'quoted 1'", "\"2\"", "\"\\x41\\u0042\\t\\_\"", "'it''s'", "a b  c", "a #not", "b#c", "x # comment",
];

const STRUCTURES = [
  "a: |\n  x\n  y\n", "a: >-\n  x\n  y\n\n", "a: |+\n  x\n\n", "a: |2\n    indented\n", "a: >\n  folded\n\n  para\n",
  "- a\n- b: c\n  d: e\n", "a: [1, 'b', c, {d: e}]", "a: {b: 1, c: [x, y]}", "a:\n- 1\n- - 2\n  - 3\n", "a: \"multi\n  line\"",
  "a: plain\n  continued\n", "---\na: 1\n---\n---\nb: 2\n...\n", "# only a comment\n", "a: b\n...\n---\nc: d\n",
  "1: x\n2.5: y\ntrue: z\n", "null: x\n", "~: x\n", "? a\n: b\n", "a: 1\na: 2\n", "a:\n  b: 1\n   c: 2\n", "a: b: c\n",
  "a: [1, 2\n", "a: 'unterminated\n", "key with spaces: v\n\"quoted key\": w\n", "a: -\n", "- - - x\n", "[1, 2]\n", "scalar doc\n",
  "a: {}\nb: []\nc: ''\nd:\n", "a: &x 1\nb: *x\n", "a: !!str 1\n", "%YAML 1.1\n---\na: yes\n", "<<: {a: 1}\nb: 2\n", "a:\tb\n",
  "a: 1\r\nb: 2\r\n", "\uFEFFa: 1\n", "emoji: 😀\nnon-ascii: ünïcödé\n", "a: \"\\u00e9\\U0001F600\"\n", "a:   spaced   \n",
];

/** Compares both paths on `text`; returns whether the fast path took it. */
function compare(text: string): boolean {
  const fast = fastParse(text);
  if (fast === undefined) return false; // stepped aside: the reference path handles it
  assert.deepEqual(fast, reference(text), `fast path differs on ${JSON.stringify(text)}`);
  return true;
}

test("plain scalars resolve as the yaml package resolves them (YAML 1.2 core), as values and in sequences", () => {
  let taken = 0;
  for (const s of SCALARS) {
    for (const text of [`a: ${s}\n`, `- ${s}\n`, `[${s}]\n`, `k${s}: v\n`]) if (compare(text)) taken++;
  }
  assert.ok(taken > SCALARS.length * 3, `the fast path took ${taken} of ${SCALARS.length * 4}`);
});

test("structures: equal results, or the fast path steps aside (including wherever the yaml package reports an error)", () => {
  for (const s of STRUCTURES) compare(s);
  assert.equal(fastParse("a: 1\na: 2\n"), undefined, "duplicate keys: the reference reports the error");
  assert.equal(fastParse("a: [1, 2\n"), undefined);
});

test("the fast path steps aside for anchors, aliases, tags, directives, merge keys, tabs, CR, BOM, explicit and null keys", () => {
  for (const s of ["a: &x 1", "b: *x", "a: !!str 1", "%YAML 1.2\n---\na: 1", "<<: {a: 1}", "a:\tb", "a: 1\r\n", "\uFEFFa: 1", "? a\n: b", "null: x", "~: x", "- null: x", ": x", "cmd: a && b", "verbs: ['*']"]) {
    assert.equal(fastPathAllowed(s), false, JSON.stringify(s));
  }
  assert.equal(fastPathAllowed("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  nullable: x\n  '?': q\n"), true);
});

test("every YAML file in this repository parses the same both ways", () => {
  const files = globSync("**/*.{yaml,yml}", { exclude: (f) => f.includes("node_modules") || f.startsWith(".git") });
  assert.ok(files.length > 10, `found ${files.length} files`);
  const taken = files.filter((f) => compare(readFileSync(f, "utf8"))).length;
  assert.ok(taken > files.length / 2, `the fast path took ${taken} of ${files.length}`);
});

test("hasYaml11Scalars flags plain scalars kustomize reads the YAML 1.1 way, not words or quoted values that merely contain digits", () => {
  for (const s of ["defaultMode: 0644", "a: -012", "a: 0b101", "a: +0x1F", "a: -0o17", "a: 1_000", "a: 1_000.5", "a: 2021-01-05", "- 2021-1-5", "a: [1, 0644]"]) {
    assert.equal(hasYaml11Scalars(s), true, s);
  }
  for (const s of ["a: \"0755\"", "a: '0644'", "name: build_2021", "image: app:2021-01-05", "version: 1.20.2", "port: 8080", "a: 0", "a: 0.5", "a: 0x1F", "a: 0o17", "host: 10.0.0.1", "a: v1_000"]) {
    assert.equal(hasYaml11Scalars(s), false, s);
  }
});
