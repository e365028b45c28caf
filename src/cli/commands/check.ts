/**
 * `plumb check --pre`, in the shape of `flux check --pre`: the Kubernetes version against the oldest Plumbline
 * supports, then which kustomize, helm, sops and age it uses (path, where found, version) and how to get a
 * missing one. Kubernetes and kustomize are required (exit 1 without them); helm, sops and age are reported.
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import semver from "semver";
import { errorMessage } from "../../core/errors.ts";
import { KubeClient } from "../../kube/client.ts";
import { findKustomize } from "../../render/kustomize-binary.ts";
import { findTool, howToGet, missingToolMessage, type ToolName } from "../../render/tool-finder.ts";
import { toolVersion } from "../../render/tool-version.ts";
import type { CliIo } from "../io.ts";

/** The oldest Kubernetes Plumbline supports (`plumb local up --kubernetes 1.20`). */
export const MIN_KUBERNETES = "1.20.0";
/** kustomize builds as Flux's kustomize-controller does from v5 on. */
export const MIN_KUSTOMIZE = "5.0.0";

export interface CheckLine {
  ok: boolean;
  /** A failed line that does not fail the check. */
  optional?: boolean;
  text: string;
}

/** The lines and the exit code; pure. */
export function checkReport(lines: CheckLine[]): { text: string; code: number } {
  const failed = lines.some((l) => !l.ok && !l.optional);
  const body = lines.map((l) => `${l.ok ? "✔" : l.optional ? "!" : "✗"} ${l.text}\n`).join("");
  return { text: `► checking prerequisites\n${body}${failed ? "✗ prerequisites checks failed\n" : "✔ prerequisites checks passed\n"}`, code: failed ? 1 : 0 };
}

/** The Kubernetes line for a server's gitVersion (e.g. `v1.37.2`); pure. */
export function kubernetesLine(gitVersion: string): CheckLine {
  const v = semver.coerce(gitVersion);
  if (!v) return { ok: false, text: `Kubernetes version ${JSON.stringify(gitVersion)} is not a version` };
  const ok = semver.gte(v, MIN_KUBERNETES);
  return { ok, text: `Kubernetes ${v.version} ${ok ? ">=" : "<"}${MIN_KUBERNETES}${ok ? "" : ": Plumbline needs a newer cluster"}` };
}

const where = (from: string): string => (from === "cache" ? "tools cache" : from);

async function kubernetesCheck(kubeconfig: string, context: string | undefined): Promise<CheckLine> {
  if (!existsSync(kubeconfig)) return { ok: false, text: `Kubernetes: kubeconfig ${kubeconfig} not found (set KUBECONFIG or --kubeconfig; \`plumb local up\` starts a local control plane)` };
  let kube: KubeClient | undefined;
  try {
    kube = KubeClient.fromKubeconfig(kubeconfig, context);
    const res = await kube.http.request("GET", "/version");
    return kubernetesLine(String((res.body as { gitVersion?: unknown }).gitVersion ?? ""));
  } catch (err) {
    return { ok: false, text: `Kubernetes: cannot read the server version: ${errorMessage(err).split("\n")[0]}` };
  } finally {
    kube?.close();
  }
}

async function kustomizeCheck(env: NodeJS.ProcessEnv): Promise<CheckLine> {
  let k;
  try {
    k = findKustomize(env);
  } catch (err) {
    return { ok: false, text: errorMessage(err) };
  }
  const embedded = k.from === "kubectl";
  try {
    const v = await toolVersion(embedded ? "kubectl" : "kustomize", k.cmd);
    const ok = semver.gte(semver.coerce(v) ?? "0.0.0", MIN_KUSTOMIZE);
    const at = embedded ? `embedded in ${k.cmd} (\`kubectl kustomize\`, no kustomize on PATH nor in the tools cache)` : `${k.cmd} (${where(k.from ?? "PATH")})`;
    return { ok, text: `kustomize ${v} ${at}${ok ? "" : `: older than v${MIN_KUSTOMIZE}; ${howToGet("kustomize", env)}`}` };
  } catch (err) {
    return { ok: false, text: `kustomize ${k.cmd}: ${errorMessage(err)}` };
  }
}

async function toolCheck(name: ToolName, env: NodeJS.ProcessEnv): Promise<CheckLine> {
  const t = findTool(name, env);
  if (!t) return { ok: false, optional: true, text: missingToolMessage(name, env) };
  try {
    return { ok: true, text: `${name} ${await toolVersion(name, t.path)} ${t.path} (${where(t.from)})` };
  } catch (err) {
    return { ok: false, optional: true, text: `${name} ${t.path}: ${errorMessage(err)}` };
  }
}

export async function runCheckCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { pre: { type: "boolean" }, kubeconfig: { type: "string" }, context: { type: "string" } } }));
  } catch (err) {
    io.stderr(`plumb check: ${errorMessage(err)}\nusage: plumb check --pre [--kubeconfig F] [--context C]\n`);
    return 2;
  }
  // Plumbline runs no controllers to check: `plumb check` is `plumb check --pre`.
  const kubeconfig = values.kubeconfig ?? io.env["KUBECONFIG"]?.split(":")[0] ?? join(homedir(), ".kube", "config");
  const lines = await Promise.all([
    kubernetesCheck(kubeconfig, values.context),
    kustomizeCheck(io.env),
    ...(["helm", "sops", "age"] as const).map((n) => toolCheck(n, io.env)),
  ]);
  const report = checkReport(lines);
  io.stdout(report.text);
  return report.code;
}
