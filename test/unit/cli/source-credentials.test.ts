import assert from "node:assert/strict";
import { test } from "node:test";
import { credentialSecret, credentialsNote, sourceCredentials } from "../../../src/cli/commands/source-credentials.ts";

test("credentials in --source leave the URL and join the flags' ones; the Secret holds them in Flux's keys", () => {
  const c = sourceCredentials({}, {}, "https://bot:t%40ken@git.example/fleet.git");
  assert.equal(c.url, "https://git.example/fleet.git");
  assert.deepEqual(c.auth, { username: "bot", password: "t@ken" });
  assert.deepEqual(c.fromUrl, ["username", "password"]);
  const s = credentialSecret(c.auth ?? {}, "flux-system", "ops");
  assert.deepEqual(Object.keys((s["data"] ?? {}) as object).sort(), ["password", "username"]);
  assert.equal(Buffer.from(((s["data"] ?? {}) as Record<string, string>)["password"] ?? "", "base64").toString(), "t@ken");
  const note = credentialsNote(c, { secret: "flux-system", namespace: "ops" }) ?? "";
  assert.match(note, /moved into Secret ops\/flux-system/);
  assert.ok(!note.includes("t@ken") && !note.includes("t%40ken"));
  // a user in the URL, its password from the environment
  assert.deepEqual(sourceCredentials({ "password-env": "PW" }, { PW: "p" }, "https://bot@git.example/r.git").auth, { username: "bot", password: "p" });
  assert.equal(sourceCredentials({}, {}, "https://git.example/r.git").auth, undefined);
  assert.equal(credentialsNote(sourceCredentials({ username: "u" }, {}, "https://git.example/r.git")), undefined);
});

test("credentials given two ways, or a --password-env that is not set, are refused naming the flag", () => {
  assert.throws(() => sourceCredentials({ "secret-ref": "mine" }, {}, "https://u:p@h/r.git"), /--source holds credentials and --secret-ref/);
  assert.throws(() => sourceCredentials({ username: "other" }, {}, "https://u:p@h/r.git"), /username other than --username/);
  assert.throws(() => sourceCredentials({ "password-env": "PW" }, { PW: "x" }, "https://u:p@h/r.git"), (e: Error) => /password other than the one in \$PW/.test(e.message) && !e.message.includes(":p@"));
  assert.throws(() => sourceCredentials({ "password-env": "NOPE" }, {}, "https://h/r.git"), /--password-env NOPE: environment variable not set/);
});
