/**
 * An OpenSSH server for Git-over-SSH tests: /usr/sbin/sshd in the foreground on a free loopback port,
 * with a private config, a generated ed25519 host key and one authorized client key, all in a temp dir.
 * Repositories are addressed by absolute path: `${url}/abs/path/to/repo.git`.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer, type AddressInfo } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const SSHD = "/usr/sbin/sshd";

export interface GitSshServer {
  /** e.g. ssh://root@127.0.0.1:2222 — append an absolute repository path. */
  url: string;
  port: number;
  clientPrivateKey: string;
  clientPublicKey: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...` */
  knownHosts: string;
  stop(): Promise<void>;
}

/** Generates an ed25519 key pair with ssh-keygen; returns the private key text and the public key line. */
export async function generateSshKey(comment = "plumbline-test"): Promise<{ privateKey: string; publicKey: string }> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-key-"));
  try {
    const file = join(dir, "key");
    await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    return { privateKey: await readFile(file, "utf8"), publicKey: (await readFile(`${file}.pub`, "utf8")).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Resolves when something on 127.0.0.1:port sends an SSH banner. */
function probeBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once("data", (b: Buffer) => done(b.toString("latin1").startsWith("SSH-")));
    sock.once("error", () => done(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

export async function startGitSshServer(opts: { clientPublicKey?: string; clientPrivateKey?: string } = {}): Promise<GitSshServer> {
  const dir = await mkdtemp(join(tmpdir(), "plumbline-sshd-"));
  let child: ChildProcess | undefined;
  try {
    await mkdir("/run/sshd", { recursive: true, mode: 0o755 });
    const hostKey = join(dir, "host_ed25519");
    await exec("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "plumbline-test-host", "-f", hostKey]);
    const hostPub = (await readFile(`${hostKey}.pub`, "utf8")).trim().split(/\s+/).slice(0, 2).join(" ");
    let client: { privateKey: string; publicKey: string };
    if (opts.clientPublicKey !== undefined) client = { publicKey: opts.clientPublicKey.trim(), privateKey: opts.clientPrivateKey ?? "" };
    else client = await generateSshKey();
    const authorizedKeys = join(dir, "authorized_keys");
    await writeFile(authorizedKeys, `${client.publicKey}\n`, { mode: 0o600 });

    const port = await freePort();
    const user = userInfo().username;
    const config = [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "UsePAM no",
      "StrictModes no",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      `AllowUsers ${user}`,
      "AcceptEnv GIT_PROTOCOL",
      "PrintMotd no",
      "LogLevel ERROR",
      "",
    ].join("\n");
    const configFile = join(dir, "sshd_config");
    await writeFile(configFile, config, { mode: 0o600 });

    const proc = spawn(SSHD, ["-D", "-e", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    let log = "";
    proc.stderr?.on("data", (b: Buffer) => {
      if (log.length < 64 * 1024) log += b.toString("utf8");
    });
    let ready = false;
    for (let attempt = 0; attempt < 100 && !ready; attempt++) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`sshd exited early: ${log.trim()}`);
      ready = await probeBanner(port);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    if (!ready) throw new Error(`sshd on 127.0.0.1:${port} not ready: ${log.trim()}`);

    return {
      url: `ssh://${user}@127.0.0.1:${port}`,
      port,
      clientPrivateKey: client.privateKey,
      clientPublicKey: client.publicKey,
      knownHosts: `[127.0.0.1]:${port} ${hostPub}`,
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill("SIGTERM");
          await exited(proc);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited(child);
    }
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
