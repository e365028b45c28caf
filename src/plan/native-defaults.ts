/**
 * Fills defaults the API server's SSA needs as list keys but older servers (< 1.25) do not apply before
 * merging: `protocol: TCP` on Service ports and container ports. Without them a 1.20 server refuses the
 * apply ("associative list with keys has an element that omits key field protocol"). Secrets: stringData as
 * data. Pure; mutates a copy.
 */
import type { KubeObject } from "../core/object-ref.ts";

type Ports = { protocol?: string }[] | undefined;

function defaultPorts(ports: Ports): void {
  for (const p of ports ?? []) p.protocol ??= "TCP";
}

function podSpecOf(obj: KubeObject): Record<string, unknown> | undefined {
  const spec = obj["spec"] as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (obj.kind === "Pod") return spec;
  if (obj.kind === "CronJob") return ((spec["jobTemplate"] as { spec?: { template?: { spec?: Record<string, unknown> } } } | undefined)?.spec?.template?.spec);
  return (spec["template"] as { spec?: Record<string, unknown> } | undefined)?.spec;
}

/**
 * A Secret's write-only `stringData` merged into `data` (base64; stringData wins, as on the server), as Flux's
 * ssa.SetNativeKindsDefaults does: the live object never shows stringData, so applying it would never compare
 * equal and every reconcile would write the Secret again.
 */
function stringDataToData(secret: KubeObject): void {
  const sd = secret["stringData"];
  if (!sd || typeof sd !== "object" || Array.isArray(sd)) return;
  const entries = Object.entries(sd as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== "string")) return; // invalid: left for the API server to refuse
  const data = { ...((secret["data"] ?? {}) as Record<string, unknown>) };
  for (const [k, v] of entries) data[k] = Buffer.from(v as string, "utf8").toString("base64");
  secret["data"] = data;
  delete secret["stringData"];
}

export function withNativeDefaults(obj: KubeObject): KubeObject {
  if (obj.apiVersion !== "v1" && !/^(apps|batch)\//.test(obj.apiVersion)) return obj;
  const out = structuredClone(obj);
  if (out.kind === "Service") defaultPorts((out["spec"] as { ports?: Ports } | undefined)?.ports);
  if (out.kind === "Secret") stringDataToData(out);
  const pod = podSpecOf(out);
  for (const key of ["containers", "initContainers"]) {
    for (const c of (pod?.[key] as { ports?: Ports }[] | undefined) ?? []) defaultPorts(c.ports);
  }
  return out;
}
