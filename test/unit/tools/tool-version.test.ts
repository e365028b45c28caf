/** Reading each tool's version answer, and `plumb check --pre`'s verdicts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkReport, kubernetesLine } from "../../../src/cli/commands/check.ts";
import { majorOf, parseToolVersion, VERSION_ARGS } from "../../../src/render/tool-version.ts";

test("versions as each tool prints them", () => {
  assert.equal(parseToolVersion("kustomize", "v5.8.2\n"), "v5.8.2");
  assert.equal(parseToolVersion("kustomize", "{Version:kustomize/v4.5.7 GitCommit:56d82a8 BuildDate:2022-08-02T16:35:54Z GoOs:linux}\n"), "v4.5.7");
  assert.equal(parseToolVersion("helm", "v4.3.2+g1a2b3c4\n"), "v4.3.2");
  assert.equal(parseToolVersion("sops", "sops 3.13.3\n"), "v3.13.3");
  assert.equal(parseToolVersion("age", "1.1.1\n"), "v1.1.1"); // Debian's
  assert.equal(parseToolVersion("age", "v1.3.2\n"), "v1.3.2");
  assert.equal(parseToolVersion("age", "(devel)\n"), undefined);
  assert.equal(parseToolVersion("kubectl", '{"clientVersion":{"gitVersion":"v1.32.4"},"kustomizeVersion":"v5.5.0"}'), "v5.5.0");
  assert.equal(parseToolVersion("kubectl", '{"clientVersion":{"gitVersion":"v1.20.2"}}'), undefined);
  assert.equal(parseToolVersion("kubectl", "not json"), undefined);
  assert.equal(majorOf("v5.8.2"), 5);
  assert.equal(majorOf(undefined), undefined);
});

test("sops is asked for its version without its check for a newer release (no network here)", () => {
  assert.deepEqual(VERSION_ARGS.sops, ["--version", "--disable-version-check"]);
});

test("check --pre: Kubernetes against 1.20.0; a missing optional tool warns, a failed required line fails", () => {
  assert.deepEqual(kubernetesLine("v1.37.2"), { ok: true, text: "Kubernetes 1.37.2 >=1.20.0" });
  assert.deepEqual(kubernetesLine("v1.20.2"), { ok: true, text: "Kubernetes 1.20.2 >=1.20.0" });
  assert.equal(kubernetesLine("v1.19.16").ok, false);
  assert.match(kubernetesLine("v1.19.16").text, /^Kubernetes 1\.19\.16 <1\.20\.0: Plumbline needs a newer cluster$/);
  assert.equal(kubernetesLine("v1.32.4-eks-1234").ok, true);
  const ok = checkReport([{ ok: true, text: "Kubernetes 1.37.2 >=1.20.0" }, { ok: false, optional: true, text: "helm not found" }]);
  assert.equal(ok.code, 0);
  assert.equal(ok.text, "► checking prerequisites\n✔ Kubernetes 1.37.2 >=1.20.0\n! helm not found\n✔ prerequisites checks passed\n");
  const bad = checkReport([{ ok: false, text: "kustomize not found" }]);
  assert.equal(bad.code, 1);
  assert.match(bad.text, /✗ kustomize not found\n✗ prerequisites checks failed\n$/);
});
