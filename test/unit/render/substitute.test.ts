import assert from "node:assert/strict";
import { test } from "node:test";
import { substitute, SubstitutionError } from "../../../src/render/substitute.ts";

const S = "ConfigMap/demo/settings";
const sub = (text: string, vars: Record<string, string> = {}): string => substitute(text, vars, S);

test("variables, defaults and escapes are substituted as Flux does", () => {
  assert.equal(sub("a: ${X}", { X: "1" }), "a: 1");
  assert.equal(sub("a: ${X:=d} ${Y:-e} ${Z=f} ${W-g}", {}), "a: d e f g");
  assert.equal(sub("a: ${X:-d} ${X-g}", { X: "" }), "a: d ");
  assert.equal(sub("a: $${X} and $X and $(cmd) and cost $5", { X: "1" }), "a: ${X} and $X and $(cmd) and cost $5");
  assert.equal(sub("a: ${X:-${Y}}", { Y: "nested" }), "a: nested");
  assert.equal(sub("a: ${X:-${Y:-deep}}-tail", {}), "a: deep-tail");
  assert.equal(sub("a: ${X:-}", {}), "a: ");
});

test("an unset variable without a default is an error naming the object and the variable", () => {
  assert.throws(() => sub("a: ${MISSING}"), (e: unknown) => e instanceof SubstitutionError && /^ConfigMap\/demo\/settings: variable "MISSING" is not set/.test(e.message));
});

test("an unclosed ${ fails as Flux's envsubst does (missing closing brace), naming the object and the line", () => {
  for (const text of ["a: ${var", "a: x\nb: ${var\nc: {}", "a: ${var other}", "a: ${var:-default", "a: ${X:-${Y}"]) {
    assert.throws(() => sub(text, { var: "v", X: "x", Y: "y" }), (e: unknown) => e instanceof SubstitutionError && e.message.includes("missing closing brace") && e.message.startsWith(S), text);
  }
  assert.throws(() => sub("a: x\nb: ${var\n"), /missing closing brace at "\$\{var" \(line 2 of the object's YAML\)/);
});

test("${ without a variable name fails (Flux: unable to parse variable name); an escaped unclosed $${ is text", () => {
  for (const text of ["a: ${}", "a: ${ var }", "a: ${1x}", "a: ${", "a: ${-x}"]) {
    assert.throws(() => sub(text, { var: "v" }), /unable to parse variable name/, text);
  }
  assert.equal(sub("a: $${var"), "a: ${var");
  assert.equal(sub("a: $${"), "a: ${");
});

test("operators Flux has and Plumbline does not are refused, never applied as text", () => {
  for (const text of ["a: ${X^^}", "a: ${X,,}", "a: ${X:+y}", "a: ${X:1}", "a: ${X/a/b}", "a: ${X#p}", "a: ${X%s}", "a: ${X?}"]) {
    assert.throws(() => sub(text, { X: "abc" }), /unsupported operator/, text);
  }
});
