/**
 * Fills defaults the API server's SSA needs as list keys but older servers (< 1.25) do not apply before
 * merging: `protocol: TCP` on Service ports and container ports. Without them a 1.20 server refuses the
 * apply ("associative list with keys has an element that omits key field protocol"). Pure; mutates a copy.
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

export function withNativeDefaults(obj: KubeObject): KubeObject {
  if (obj.apiVersion !== "v1" && !/^(apps|batch)\//.test(obj.apiVersion)) return obj;
  const out = structuredClone(obj);
  if (out.kind === "Service") defaultPorts((out["spec"] as { ports?: Ports } | undefined)?.ports);
  const pod = podSpecOf(out);
  for (const key of ["containers", "initContainers"]) {
    for (const c of (pod?.[key] as { ports?: Ports }[] | undefined) ?? []) defaultPorts(c.ports);
  }
  return out;
}
