/** Reads what a Kustomization's render needs from the cluster: substitution variables and decryption keys. */
import type { KubeClient } from "../kube/client.ts";
import type { KustomizationSpec } from "../core/api-types.ts";
import { BuildError, DecryptionError } from "../core/errors.ts";

export async function readVariables(kube: KubeClient, namespace: string, spec: KustomizationSpec): Promise<Record<string, string> | undefined> {
  if (!spec.postBuild) return undefined;
  const vars: Record<string, string> = {};
  for (const ref of spec.postBuild.substituteFrom ?? []) {
    const obj = await kube.get("v1", ref.kind, namespace, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new BuildError(`postBuild.substituteFrom: ${ref.kind}/${namespace}/${ref.name} not found`);
    }
    const data = (obj["data"] ?? {}) as Record<string, string>;
    for (const [k, v] of Object.entries(data)) vars[k] = ref.kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v;
  }
  Object.assign(vars, spec.postBuild.substitute ?? {});
  return vars;
}

/** The age identities from the decryption Secret's `*.agekey` entries (text; never logged). */
export async function readAgeKeyTexts(kube: KubeClient, namespace: string, spec: KustomizationSpec): Promise<{ source: string; text: string }[] | undefined> {
  if (!spec.decryption) return undefined;
  if (spec.decryption.provider !== "sops") throw new DecryptionError(`spec.decryption.provider "${spec.decryption.provider}" is not supported (only sops)`);
  const name = spec.decryption.secretRef?.name;
  if (!name) return [];
  const secret = await kube.get("v1", "Secret", namespace, name);
  if (!secret) throw new DecryptionError(`decryption Secret ${namespace}/${name} not found`);
  const data = (secret["data"] ?? {}) as Record<string, string>;
  return Object.entries(data)
    .filter(([k]) => k.endsWith(".agekey"))
    .map(([k, v]) => ({ source: `Secret/${namespace}/${name}[${k}]`, text: Buffer.from(v, "base64").toString("utf8") }));
}
