/**
 * Git credentials of `plumb build | diff | sync`, from the flags and from the --source URL's user-info: one GitAuth
 * for the fetch, one Secret (Flux's format: username, password, identity, known_hosts) for sync to store, and the
 * URL with its credentials taken out, which is all that reaches spec.url, messages and git's argv.
 */
import { readFileSync } from "node:fs";
import type { KubeObject } from "../../core/object-ref.ts";
import { authFromSecretData, type GitAuth } from "../../source/git-auth.ts";
import { splitUrlCredentials } from "../../source/git-url.ts";

export interface CredentialFlags {
  username?: string | undefined;
  "password-env"?: string | undefined;
  "private-key-file"?: string | undefined;
  "known-hosts-file"?: string | undefined;
  "secret-ref"?: string | undefined;
}

export interface SourceCredentials {
  /** The source URL with no credentials in it. */
  url: string;
  /** The credentials the flags and the URL gave, or undefined when they gave none. */
  auth?: GitAuth;
  /** Which of username and password came out of the URL (for the note saying so). */
  fromUrl: ("username" | "password")[];
  /** The URL was an ssh:// one holding a password, dropped (ssh never uses it). */
  droppedSshPassword: boolean;
}

/** Reads the credential flags and splits the URL's; throws with the flag to fix on a conflict or a missing value. */
export function sourceCredentials(f: CredentialFlags, env: NodeJS.ProcessEnv, rawUrl: string): SourceCredentials {
  const split = splitUrlCredentials(rawUrl);
  const fromUrl = split.credentials;
  const auth: GitAuth = {};
  let password: string | undefined;
  if (f["password-env"]) {
    password = env[f["password-env"]];
    if (password === undefined) throw new Error(`--password-env ${f["password-env"]}: environment variable not set`);
  }
  if (fromUrl && f["secret-ref"]) throw new Error(`--source holds credentials and --secret-ref names the Secret to use: give them one way (remove them from the URL, or drop --secret-ref)`);
  if (fromUrl && f.username !== undefined && f.username !== fromUrl.username) throw new Error("--source holds a username other than --username: give it one way");
  if (fromUrl?.password !== undefined && password !== undefined && password !== fromUrl.password) throw new Error(`--source holds a password other than the one in $${f["password-env"] ?? ""}: give it one way`);
  const username = f.username ?? fromUrl?.username;
  password ??= fromUrl?.password;
  if (username !== undefined) auth.username = username;
  if (password !== undefined) auth.password = password;
  if (f["private-key-file"]) auth.identity = readFileSync(f["private-key-file"], "utf8");
  if (f["known-hosts-file"]) auth.knownHosts = readFileSync(f["known-hosts-file"], "utf8");
  const moved: SourceCredentials["fromUrl"] = [];
  if (fromUrl) moved.push("username");
  if (fromUrl?.password !== undefined) moved.push("password");
  return { url: split.url, ...(Object.keys(auth).length ? { auth } : {}), fromUrl: moved, droppedSshPassword: split.droppedPassword === true };
}

/** The credentials as the Secret `flux bootstrap` creates (base64 data, as the API server stores it, so an unchanged one is not rewritten). */
export function credentialSecret(auth: GitAuth, name: string, namespace: string): KubeObject {
  const data: Record<string, string> = {};
  if (auth.username !== undefined) data["username"] = auth.username;
  if (auth.password !== undefined) data["password"] = auth.password;
  if (auth.identity !== undefined) data["identity"] = auth.identity;
  if (auth.knownHosts !== undefined) data["known_hosts"] = auth.knownHosts;
  const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]));
  return { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name, namespace }, data: b64 };
}

/** The note printed when credentials were taken out of --source; undefined when there were none. */
export function credentialsNote(c: SourceCredentials, stored?: { secret: string; namespace: string }): string | undefined {
  const parts: string[] = [];
  if (c.fromUrl.length) {
    const what = c.fromUrl.join(" and ");
    parts.push(stored ? `the ${what} in --source moved into Secret ${stored.namespace}/${stored.secret} (spec.secretRef of GitRepository ${stored.namespace}/flux-system, whose spec.url is ${c.url})` : `the ${what} in --source are given to git through its environment, not its command line`);
  }
  if (c.droppedSshPassword) parts.push("the password in the ssh:// --source is not used (ssh authenticates with --private-key-file)");
  return parts.length ? `note: ${parts.join("; ")}\n` : undefined;
}

/** Credentials from a Secret in the cluster (diff with --secret-ref), the way the source resolver reads them. */
export function authFromSecret(secret: KubeObject | undefined, ref: string): GitAuth {
  if (!secret) throw new Error(`--secret-ref ${ref}: Secret not found`);
  return authFromSecretData((secret["data"] ?? {}) as Record<string, string>);
}
