import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PlumbError } from "../../../src/core/errors.ts";
import type { KubeObject } from "../../../src/core/object-ref.ts";
import { bootstrapUrlRefusal, moveUrlCredentials } from "../../../src/source/git-url-credentials.ts";

const gitRepository = (url: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "source.toolkit.fluxcd.io/v1beta2",
  kind: "GitRepository",
  metadata: { name: "tenant-a", namespace: "tenants", labels: { "kustomize.toolkit.fluxcd.io/name": "tenants" } },
  spec: { interval: "5m", url, ref: { branch: "main" }, ...extra },
});
const decode = (o: KubeObject | undefined, key: string): string => Buffer.from(((o?.["data"] ?? {}) as Record<string, string>)[key] ?? "", "base64").toString("utf8");

describe("moveUrlCredentials", () => {
  it("moves user-info into a Secret named by spec.secretRef and stores the URL without it", () => {
    const notes: string[] = [];
    const cm: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "tenants" } };
    const out = moveUrlCredentials([cm, gitRepository("https://bot:t0k%2Fen@git.example/tenant-a.git")], (m) => notes.push(m));
    assert.equal(out.length, 3);
    assert.equal(out[0], cm);
    const repo = out[1];
    assert.deepEqual(repo?.["spec"], { interval: "5m", url: "https://git.example/tenant-a.git", ref: { branch: "main" }, secretRef: { name: "tenant-a-url-credentials" } });
    const secret = out[2];
    assert.deepEqual([secret?.kind, secret?.metadata.name, secret?.metadata.namespace], ["Secret", "tenant-a-url-credentials", "tenants"]);
    assert.deepEqual(secret?.metadata.labels, { "kustomize.toolkit.fluxcd.io/name": "tenants" });
    assert.equal(decode(secret, "username"), "bot");
    assert.equal(decode(secret, "password"), "t0k/en");
    assert.equal(notes.length, 1);
    assert.match(notes[0] ?? "", /GitRepository\/tenants\/tenant-a: the credentials in spec\.url moved into Secret tenants\/tenant-a-url-credentials/);
    assert.doesNotMatch(notes.join(""), /t0k/);
  });

  it("leaves URLs without credentials (and other kinds) untouched, the same array", () => {
    const objs = [gitRepository("https://git.example/a.git"), gitRepository("ssh://git@git.example/a.git"), { apiVersion: "example.com/v1", kind: "GitRepository", metadata: { name: "n" }, spec: { url: "https://u:p@h/r" } }];
    assert.equal(moveUrlCredentials(objs), objs);
  });

  it("drops an ssh:// password (ssh never uses it) without a Secret", () => {
    const out = moveUrlCredentials([gitRepository("ssh://git:pw@git.example/a.git")]);
    assert.equal(out.length, 1);
    assert.equal((out[0]?.["spec"] as { url: string }).url, "ssh://git@git.example/a.git");
  });

  it("fails the build when the GitRepository also names a Secret, or its Secret's name is taken; the message holds no password", () => {
    assert.throws(() => moveUrlCredentials([gitRepository("https://bot:s3cr3t@git.example/a.git", { secretRef: { name: "mine" } })]), (e: unknown) => e instanceof PlumbError && e.reason === "BuildFailed" && /spec\.secretRef names Secret mine/.test(e.message) && !e.message.includes("s3cr3t"));
    const clash: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "tenant-a-url-credentials", namespace: "tenants" } };
    assert.throws(() => moveUrlCredentials([clash, gitRepository("https://bot:s3cr3t@git.example/a.git")]), /another object of this Kustomization/);
  });
});

describe("bootstrapUrlRefusal", () => {
  it("refuses a bootstrap URL with credentials, without repeating them; accepts one without", () => {
    const refusal = bootstrapUrlRefusal("https://bot:s3cr3t@git.example/fleet.git") ?? "";
    assert.match(refusal, /refusing to store credentials in the bootstrap GitRepository's spec\.url \(https:\/\/git\.example\/fleet\.git\)/);
    assert.ok(!refusal.includes("s3cr3t"));
    assert.ok(bootstrapUrlRefusal("ssh://git:pw@git.example/fleet.git"));
    assert.equal(bootstrapUrlRefusal("https://git.example/fleet.git"), undefined);
    assert.equal(bootstrapUrlRefusal("ssh://git@git.example/fleet.git"), undefined);
    assert.equal(bootstrapUrlRefusal("/srv/fleet"), undefined);
  });
});
