/** Loads a kubeconfig file into the connection settings the HTTP client needs. */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface ClusterConnection {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  token?: string;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  contextName: string;
  namespace: string;
}

interface NamedCluster { name: string; cluster: Record<string, unknown> }
interface NamedUser { name: string; user: Record<string, unknown> }
interface NamedContext { name: string; context: { cluster: string; user: string; namespace?: string } }

export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["KUBECONFIG"]?.split(":").find((p) => p.length > 0);
  return fromEnv ?? join(homedir(), ".kube", "config");
}

export function loadKubeconfig(path: string = defaultKubeconfigPath(), context?: string): ClusterConnection {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new Error(`kubeconfig ${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, dirname(path), path, context);
}

export function parseKubeconfig(text: string, baseDir: string, subject: string, context?: string): ClusterConnection {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const contexts = (doc["contexts"] ?? []) as NamedContext[];
  const ctxName = context ?? (doc["current-context"] as string | undefined) ?? contexts[0]?.name;
  const ctx = contexts.find((c) => c.name === ctxName);
  if (!ctx) throw new Error(`kubeconfig ${subject}: context "${ctxName ?? ""}" not found`);
  const cluster = ((doc["clusters"] ?? []) as NamedCluster[]).find((c) => c.name === ctx.context.cluster)?.cluster;
  if (!cluster) throw new Error(`kubeconfig ${subject}: cluster "${ctx.context.cluster}" not found`);
  const user = ((doc["users"] ?? []) as NamedUser[]).find((u) => u.name === ctx.context.user)?.user ?? {};

  const fileOrData = (fileKey: string, dataKey: string, from: Record<string, unknown>): Buffer | undefined => {
    const data = from[dataKey];
    if (typeof data === "string") return Buffer.from(data, "base64");
    const file = from[fileKey];
    if (typeof file === "string") return readFileSync(isAbsolute(file) ? file : join(baseDir, file));
    return undefined;
  };
  const conn: ClusterConnection = {
    server: String(cluster["server"] ?? "").replace(/\/$/, ""),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    contextName: ctx.name,
    namespace: ctx.context.namespace ?? "default",
  };
  const ca = fileOrData("certificate-authority", "certificate-authority-data", cluster);
  if (ca) conn.ca = ca;
  const cert = fileOrData("client-certificate", "client-certificate-data", user);
  if (cert) conn.cert = cert;
  const key = fileOrData("client-key", "client-key-data", user);
  if (key) conn.key = key;
  if (typeof user["token"] === "string") conn.token = user["token"];
  else if (typeof user["tokenFile"] === "string") conn.token = readFileSync(user["tokenFile"], "utf8").trim();
  if (typeof user["username"] === "string") conn.username = user["username"];
  if (typeof user["password"] === "string") conn.password = user["password"];
  if (!conn.server) throw new Error(`kubeconfig ${subject}: cluster "${ctx.context.cluster}" has no server`);
  return conn;
}
