/**
 * GitRepositories from Git whose spec.url carries credentials (`https://user:token@host/repo.git`): before they are
 * applied, the credentials move into a Secret of their own, named by spec.secretRef (Flux's `username`/`password`
 * keys), and spec.url keeps none. Whoever may read a GitRepository then no longer reads its password, and git is
 * handed it through its environment by the fetch. The Secret is one of the Kustomization's objects: applied,
 * recorded and pruned with the GitRepository. Pure.
 */
import { PlumbError } from "../core/errors.ts";
import { SOURCE_GROUP } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { redactUrl, splitUrlCredentials } from "./git-url.ts";

/** Name of the Secret that receives a GitRepository's URL credentials. */
export const urlCredentialsSecretName = (gitRepository: string): string => `${gitRepository}-url-credentials`;

/**
 * The objects with every such GitRepository rewritten and its Secret added after it; `note` hears what moved.
 * Throws (BuildFailed) when the GitRepository already names a Secret (the credentials would be given two ways) or
 * its Secret's name is taken by another object of the same set.
 */
export function moveUrlCredentials(objects: KubeObject[], note: (message: string) => void = () => {}): KubeObject[] {
  if (!objects.some(holdsUrlCredentials)) return objects;
  const out: KubeObject[] = [];
  const taken = new Set(objects.filter((o) => o.kind === "Secret" && o.apiVersion === "v1").map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`));
  for (const obj of objects) {
    if (!holdsUrlCredentials(obj)) {
      out.push(obj);
      continue;
    }
    const spec = obj["spec"] as { url: string; secretRef?: { name?: string } };
    const id = `GitRepository/${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
    const split = splitUrlCredentials(spec.url);
    if (!split.credentials) {
      // an ssh:// password: ssh never uses it, it only has to leave the URL
      out.push({ ...obj, spec: { ...spec, url: split.url } });
      note(`${id}: the password in spec.url is not used by ssh and is not stored (spec.url ${split.url})`);
      continue;
    }
    if (spec.secretRef?.name) {
      throw new PlumbError("BuildFailed", `${id}: spec.url (${redactUrl(spec.url)}) holds credentials and spec.secretRef names Secret ${spec.secretRef.name}: put the username and password into that Secret and remove them from the URL`);
    }
    const name = urlCredentialsSecretName(obj.metadata.name ?? "");
    const key = `${obj.metadata.namespace ?? ""}/${name}`;
    if (name.length > 253) throw new PlumbError("BuildFailed", `${id}: spec.url holds credentials, and the name of the Secret they would move into (${name}) is longer than 253 characters: put them in a Secret named by spec.secretRef`);
    if (taken.has(key)) throw new PlumbError("BuildFailed", `${id}: spec.url holds credentials, and Secret ${key}, where they would move, is another object of this Kustomization: put them in a Secret named by spec.secretRef`);
    taken.add(key);
    const data: Record<string, string> = { username: split.credentials.username };
    if (split.credentials.password !== undefined) data["password"] = split.credentials.password;
    out.push({ ...obj, spec: { ...spec, url: split.url, secretRef: { name } } });
    out.push({
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name, ...(obj.metadata.namespace !== undefined ? { namespace: obj.metadata.namespace } : {}), ...(obj.metadata.labels ? { labels: { ...obj.metadata.labels } } : {}) },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
    });
    note(`${id}: the credentials in spec.url moved into Secret ${key} (spec.secretRef); spec.url is stored as ${split.url}`);
  }
  return out;
}

function holdsUrlCredentials(o: KubeObject): boolean {
  if (o.kind !== "GitRepository" || !o.apiVersion.startsWith(`${SOURCE_GROUP}/`)) return false;
  const url = (o["spec"] as { url?: unknown } | undefined)?.url;
  if (typeof url !== "string") return false;
  const split = splitUrlCredentials(url);
  return split.credentials !== undefined || split.droppedPassword === true;
}

/** The refusal for a bootstrap URL with credentials (the CLI takes them out first); undefined when it has none. */
export function bootstrapUrlRefusal(url: string): string | undefined {
  const split = splitUrlCredentials(url);
  if (!split.credentials && !split.droppedPassword) return undefined;
  return `refusing to store credentials in the bootstrap GitRepository's spec.url (${redactUrl(url)}): anyone who may read the GitRepository would read them; put them in a Secret (username, password) and name it with secretRef`;
}
