/**
 * Turning GitAuth into what git needs for one remote: an Authorization header for http(s) (config passed
 * through the environment, never the URL or argv), or GIT_SSH_COMMAND with the key and known_hosts written
 * into a private temp dir that `cleanup` removes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basicCredentials, type GitAuth } from "./git-auth.ts";
import type { GitTransport } from "./git-url.ts";

export interface TransportAuth {
  env: Record<string, string>;
  secretConfig: [string, string][];
  cleanup(): Promise<void>;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function prepareTransportAuth(transport: GitTransport, auth: GitAuth | undefined, connectTimeoutSec: number): Promise<TransportAuth> {
  const a = auth ?? {};
  const secretConfig: [string, string][] = [];
  const env: Record<string, string> = {};
  if (transport === "http" || transport === "https") {
    const hasBasic = Boolean(a.username || a.password);
    if (hasBasic && a.bearerToken) throw new Error("basic auth and bearer token cannot be set at the same time");
    if (a.bearerToken) secretConfig.push(["http.extraHeader", `Authorization: Bearer ${a.bearerToken}`]);
    else if (hasBasic) secretConfig.push(["http.extraHeader", `Authorization: Basic ${basicCredentials(a)}`]);
    return { env, secretConfig, cleanup: async () => {} };
  }
  if (transport !== "ssh") return { env, secretConfig, cleanup: async () => {} };

  const opts = ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", `ConnectTimeout=${Math.max(1, Math.ceil(connectTimeoutSec))}`, "-o", "LogLevel=ERROR"];
  let dir: string | undefined;
  if (a.identity || a.knownHosts) {
    dir = await mkdtemp(join(tmpdir(), "plumbline-ssh-"));
  }
  try {
    if (a.identity && dir) {
      const keyFile = join(dir, "identity");
      const text = a.identity.endsWith("\n") ? a.identity : `${a.identity}\n`;
      await writeFile(keyFile, text, { mode: 0o600 });
      opts.push("-i", shellQuote(keyFile), "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none");
    }
    if (a.knownHosts && dir) {
      const khFile = join(dir, "known_hosts");
      await writeFile(khFile, a.knownHosts.endsWith("\n") ? a.knownHosts : `${a.knownHosts}\n`, { mode: 0o600 });
      opts.push("-o", `UserKnownHostsFile=${shellQuote(khFile)}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "UpdateHostKeys=no");
    }
  } catch (e) {
    if (dir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  env.GIT_SSH_COMMAND = `ssh ${opts.join(" ")}`;
  env.GIT_SSH_VARIANT = "ssh";
  const tmp = dir;
  return { env, secretConfig, cleanup: async () => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined) };
}
