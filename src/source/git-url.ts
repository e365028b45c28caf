/** Git remote URLs: which transport, what to hand to git, and a credential-free form for messages. Pure. */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export type GitTransport = "http" | "https" | "ssh" | "file";

export interface GitRemote {
  transport: GitTransport;
  /** What git is given. */
  url: string;
  /** Credential-free form for messages, logs and cache keys. */
  display: string;
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
  return { transport: scheme, url: s, display: redactUrl(s) };
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
