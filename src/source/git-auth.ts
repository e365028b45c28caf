/** Credentials for a Git remote, read from a Secret's data the way source-controller reads them. Pure. */
import type { UrlCredentials } from "./git-url.ts";

export interface GitAuth {
  username?: string;
  password?: string;
  bearerToken?: string;
  /** Private key text (PEM or OpenSSH). */
  identity?: string;
  /** known_hosts lines for the SSH host. */
  knownHosts?: string;
}

/** From a Secret's base64 `data` map: `username`, `password`, `bearerToken`, `identity`, `known_hosts`. */
export function authFromSecretData(data: Record<string, string>): GitAuth {
  const get = (key: string): string | undefined => {
    const v = data[key];
    return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
  };
  const auth: GitAuth = {};
  const username = get("username");
  const password = get("password");
  const bearerToken = get("bearerToken");
  const identity = get("identity");
  const knownHosts = get("known_hosts");
  if (username !== undefined) auth.username = username;
  if (password !== undefined) auth.password = password;
  if (bearerToken !== undefined) auth.bearerToken = bearerToken;
  if (identity !== undefined) auth.identity = identity;
  if (knownHosts !== undefined) auth.knownHosts = knownHosts;
  return auth;
}

/** Every string that must never appear in a message, including the encoded forms git may echo. */
export function authSecrets(auth: GitAuth | undefined): string[] {
  if (!auth) return [];
  const out: string[] = [];
  if (auth.password) out.push(auth.password, encodeURIComponent(auth.password));
  if (auth.bearerToken) out.push(auth.bearerToken);
  if (auth.username !== undefined || auth.password !== undefined) out.push(basicCredentials(auth));
  if (auth.identity) out.push(auth.identity.trim());
  return out;
}

/** The base64 `user:password` of a Basic Authorization header. */
export function basicCredentials(auth: GitAuth): string {
  return Buffer.from(`${auth.username ?? ""}:${auth.password ?? ""}`, "utf8").toString("base64");
}

/**
 * The auth a fetch uses when the URL carried user-info: the Secret's basic or bearer credentials win, as in
 * source-controller (go-git takes the URL's user-info only when it is given no auth); else the URL's, moved out of
 * the URL so that git is handed them through its environment, never its argv.
 */
export function withUrlCredentials(auth: GitAuth | undefined, url: UrlCredentials | undefined): GitAuth | undefined {
  if (!url) return auth;
  if (auth && (auth.username || auth.password || auth.bearerToken)) return auth;
  return { ...auth, username: url.username, ...(url.password !== undefined ? { password: url.password } : {}) };
}
