/** Files made by the real sops tool (see test/fixtures/sops/README.md) decrypt, with their MAC verified, to the published plaintext. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { decryptFile, formatFromPath, parseAgeIdentities } from "../../../src/render/sops/index.ts";
import { fixture } from "./helpers.ts";

async function decrypt(file: string, key: string): Promise<string> {
  return decryptFile(fixture(file), formatFromPath(file), parseAgeIdentities(fixture(key), key), file);
}

test("flux kustomize-controller: Secret with encrypted_regex (sops 3.7.0)", async () => {
  const out = await decrypt("flux-kustomize-controller/secret.age.yaml", "flux-kustomize-controller/age.txt");
  assert.equal(out, "apiVersion: v1\nkind: Secret\nmetadata:\n    name: sops-age\nstringData:\n    secret: my-sops-age-secret\n");
});

test("flux kustomize-controller: dotenv (sops 3.7.1)", async () => {
  assert.equal(await decrypt("flux-kustomize-controller/year.env", "flux-kustomize-controller/age.txt"), "year=2017\n");
});

test("terragrunt-tests: decrypts to the published plaintext, printed as sops -d prints YAML", async () => {
  const out = await decrypt("terragrunt-tests/file.enc.yaml", "terragrunt-tests/keys.txt");
  assert.deepEqual(parse(out, { schema: "failsafe" }), parse(fixture("terragrunt-tests/file.yaml"), { schema: "failsafe" }));
  // go-yaml leaves a hex-looking string that overflows int64 unquoted, with sops' 4-space indent.
  assert.equal(out, "secrets:\n    SOME SECRET: 0x629A673A8242c2AC4B7B8C5D8735fbeac21A6205\n");
});

test("sops-age-key-workshop: two recipients (sops 3.13.3), each key alone decrypts", async () => {
  const expected = "apiVersion: v1\nkind: Secret\nmetadata:\n    name: example-application\n    namespace: default\ntype: Opaque\nstringData:\n    username: example-user\n    password: replace-me\n";
  for (const key of ["flux.agekey", "mtumilowicz.agekey"]) {
    const out = await decrypt("sops-age-key-workshop/k8s-secret.enc.yaml", `sops-age-key-workshop/${key}`);
    assert.equal(out, expected);
    assert.deepEqual(parse(out), parse(fixture("sops-age-key-workshop/k8s-secret.yaml")));
  }
});

test("humphd/sops-age: YAML, dotenv, JSON and INI made by sops 3.8.1", async () => {
  const key = "humphd-sops-age/key.txt";
  assert.equal(await decrypt("humphd-sops-age/secret.enc.yaml", key), "secret: this is a secret\n");
  // sops 3.8 kept dotenv quotes as part of the value.
  assert.equal(await decrypt("humphd-sops-age/secret.enc.env", key), 'secret="this is a secret"\n');
  assert.equal(await decrypt("humphd-sops-age/secret.enc.ini", key), "secret = this is a secret\n\n[complex]\nstring = string\n");
  const json = await decrypt("humphd-sops-age/secret.enc.json", key);
  const expected = JSON.parse(fixture("humphd-sops-age/secret.json")) as Record<string, unknown>;
  delete expected["0word"];
  assert.deepEqual(JSON.parse(json), expected);
  assert.ok(json.startsWith('{\n\t"secret": "this is a secret",\n\t"string": "string",\n\t"int": 7,\n\t"float": 3.14,\n\t"boolean": true,\n'));
});
