/**
 * Discovery and REST mapping (group/version/kind -> resource path). Lazy: each group/version's resource list is
 * fetched the first time something of it is mapped, and only that group/version is fetched again on a miss (a
 * CRD established after our last look), a few times while a fresh CRD settles.
 */
import { KubeApiError } from "./http.ts";

export interface ResourceMapping {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean }[] }
interface ApiGroupList { groups: { name: string; versions: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[] }

/** What discovery needs from the transport (KubeHttp provides it). */
export interface DiscoveryTransport {
  request(method: string, path: string): Promise<{ body: unknown }>;
}

export interface RestMapperOptions {
  /** Pause between refetches of a group/version that lacks a kind (default 300 ms). */
  retryDelayMs?: number;
  /** Refetches of a group/version after a miss before giving up (default 3). */
  missRefetches?: number;
}

export class UnknownKindError extends Error {}

/** "apps/v1" -> { group: "apps", version: "v1" }; "v1" -> core group. Pure. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The discovery path of a group/version: /api/v1 for the core group, /apis/<group>/<version> otherwise. Pure. */
export function discoveryPath(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** Kind -> mapping for one group/version's resource list (subresources left out). Pure. */
export function mappingsOf(group: string, version: string, list: ApiResourceList | undefined): Map<string, ResourceMapping> {
  const out = new Map<string, ResourceMapping>();
  for (const r of list?.resources ?? []) {
    if (r.name.includes("/")) continue;
    out.set(r.kind, { group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced });
  }
  return out;
}

export class RestMapper {
  private readonly http: DiscoveryTransport;
  private readonly retryDelayMs: number;
  private readonly missRefetches: number;
  /** "group/version" -> its kinds (an empty map when the server does not serve it). */
  private readonly byGroupVersion = new Map<string, Promise<Map<string, ResourceMapping>>>();
  private groups: Promise<ApiGroupList> | undefined;

  constructor(http: DiscoveryTransport, opts: RestMapperOptions = {}) {
    this.http = http;
    this.retryDelayMs = opts.retryDelayMs ?? 300;
    this.missRefetches = opts.missRefetches ?? 3;
  }

  private fetchGroupVersion(group: string, version: string): Promise<Map<string, ResourceMapping>> {
    return this.http.request("GET", discoveryPath(group, version)).then(
      (res) => mappingsOf(group, version, res.body as ApiResourceList),
      (err: unknown) => {
        if (err instanceof KubeApiError && err.status === 404) return new Map<string, ResourceMapping>();
        throw err;
      },
    );
  }

  /** The group/version's kinds: cached, or fetched once (concurrent callers share the request). */
  private groupVersion(group: string, version: string): Promise<Map<string, ResourceMapping>> {
    const key = `${group}/${version}`;
    let p = this.byGroupVersion.get(key);
    if (!p) {
      p = this.fetchGroupVersion(group, version);
      this.byGroupVersion.set(key, p);
      p.catch(() => { if (this.byGroupVersion.get(key) === p) this.byGroupVersion.delete(key); });
    }
    return p;
  }

  /** Fetches the group/version again unless someone already replaced `seen` with a newer fetch. */
  private refetch(group: string, version: string, seen: Promise<Map<string, ResourceMapping>>): Promise<Map<string, ResourceMapping>> {
    const key = `${group}/${version}`;
    if (this.byGroupVersion.get(key) === seen) this.byGroupVersion.delete(key);
    return this.groupVersion(group, version);
  }

  /** Forget discovery of one group (after its CRDs changed), or of everything. */
  invalidate(group?: string): void {
    this.groups = undefined;
    if (group === undefined) return this.byGroupVersion.clear();
    for (const key of [...this.byGroupVersion.keys()]) if (key.slice(0, key.lastIndexOf("/")) === group) this.byGroupVersion.delete(key);
  }

  async mapping(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const { group, version } = splitApiVersion(apiVersion);
    let seen = this.groupVersion(group, version);
    let m = (await seen).get(kind);
    // a miss may be a CRD established after we looked: fetch this group/version again, a few times while it settles
    for (let i = 0; !m && i < this.missRefetches; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      seen = this.refetch(group, version, seen);
      m = (await seen).get(kind);
    }
    if (!m) throw new UnknownKindError(`no resource for ${kind} in ${apiVersion} on the API server (is its CRD installed?)`);
    return m;
  }

  private groupList(): Promise<ApiGroupList> {
    this.groups ??= this.http.request("GET", "/apis").then((r) => r.body as ApiGroupList);
    const p = this.groups;
    p.catch(() => { if (this.groups === p) this.groups = undefined; });
    return p;
  }

  /** The server's preferred version for a group/kind, for refs that carry no version. */
  async preferredVersion(group: string, kind: string): Promise<string | undefined> {
    let version = "v1";
    if (group !== "") {
      let g = (await this.groupList()).groups.find((x) => x.name === group);
      if (!g) {
        this.groups = undefined; // a group added since: look once more
        g = (await this.groupList()).groups.find((x) => x.name === group);
      }
      const pv = g?.preferredVersion?.groupVersion ?? g?.versions[0]?.groupVersion;
      if (!pv) return undefined;
      version = splitApiVersion(pv).version;
    }
    return (await this.groupVersion(group, version)).has(kind) ? version : undefined;
  }
}

export function resourcePath(m: ResourceMapping, namespace: string | undefined, name?: string): string {
  const base = m.group === "" ? `/api/${m.version}` : `/apis/${m.group}/${m.version}`;
  const ns = m.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${m.resource}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
