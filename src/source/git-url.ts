/**
 * Git remote URLs: which transport, what to hand to git (never credentials: git's argv is world-readable in
 * /proc), the credentials a URL carried, and a credential-free form for messages. Pure.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export type GitTransport = "http" | "https" | "ssh" | "file";

export interface GitRemote {
  transport: GitTransport;
  /** What git is given: no password, and for http(s) no user-info at all. */
  url: string;
  /** Credential-free form for messages, logs and cache keys. */
  display: string;
  /** Basic credentials the http(s) URL carried in its user-info (percent-decoded), for the transport's auth. */
  credentials?: UrlCredentials;
}

export interface UrlCredentials {
  username: string;
  password?: string;
}

/** Parses `spec.url`. A plain local path becomes a file:// URL; scp-like `user@host:path` is refused, as in Flux. */
export function parseGitUrl(raw: string, cwd: string = process.cwd()): GitRemote {
  const s = raw.trim();
  if (s === "") throw new Error("empty URL");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (/^[^/:]+@[^/:]+:/.test(s)) throw new Error(`"${redactUrl(s)}": scp-like SSH addresses are not supported, use ssh://user@host/path`);
    const abs = isAbsolute(s) ? s : resolve(cwd, s);
    const url = pathToFileURL(abs).href;
    return { transport: "file", url, display: url };
  }
  if (scheme !== "http" && scheme !== "https" && scheme !== "ssh" && scheme !== "file") {
    throw new Error(`"${redactUrl(s)}": unsupported URL scheme "${scheme}" (want http, https, ssh or file)`);
  }
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    throw new Error(`"${redactUrl(s)}": invalid URL`);
  }
  if (scheme !== "file" && parsed.hostname === "") throw new Error(`"${redactUrl(s)}": URL has no host`);
  const { url, credentials } = splitUrlCredentials(s);
  return { transport: scheme, url, display: redactUrl(s), ...(credentials && scheme.startsWith("http") ? { credentials } : {}) };
}

/**
 * Takes credentials out of a URL: for http(s) the whole user-info becomes `credentials` (percent-decoded, as git
 * would send them); for ssh the user stays (it names the account, no secret) and a password is dropped
 * (`droppedPassword`: ssh never uses it); anything else is returned unchanged. Never throws.
 */
export function splitUrlCredentials(raw: string): { url: string; credentials?: UrlCredentials; droppedPassword?: boolean } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@(.*)$/s.exec(raw.trim());
  if (!m) return { url: raw };
  const [, prefix = "", userinfo = "", rest = ""] = m;
  const colon = userinfo.indexOf(":");
  const user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? undefined : decode(userinfo.slice(colon + 1));
  const scheme = prefix.slice(0, -3).toLowerCase();
  if (scheme === "http" || scheme === "https") {
    return { url: `${prefix}${rest}`, credentials: { username: user, ...(password !== undefined ? { password } : {}) } };
  }
  if (scheme === "ssh" && password !== undefined) return { url: `${prefix}${userinfo.slice(0, colon)}@${rest}`, droppedPassword: true };
  return { url: raw };
}

/** Percent-decoding that leaves a malformed escape as written (git sends what it cannot decode as is). */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Strips credentials: the whole user-info for http(s), the password for ssh and others. Never throws. */
export function redactUrl(raw: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*@)?(.*)$/s.exec(raw);
  if (!m) return raw.replace(/^([^/:@]+):[^/@]*@/, "$1@");
  const scheme = (m[1] ?? "").toLowerCase();
  const userinfo = m[2];
  if (userinfo === undefined) return raw;
  if (scheme.startsWith("http")) return `${m[1]}${m[3]}`;
  const user = userinfo.slice(0, -1).split(":")[0] ?? "";
  return `${m[1]}${user === "" ? "" : `${user}@`}${m[3]}`;
}

/** Replaces every occurrence of the given secrets (and URL passwords) in free text with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s/:@'"]*):[^\s/@'"]*@/g, "$1:***@");
  const uniq = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  for (const s of uniq) out = out.split(s).join("***");
  return out;
}
