/** Discovery and REST mapping (group/version/kind -> resource path), cached, refreshed on a miss (new CRDs). */
import type { KubeHttp } from "./http.ts";

export interface ResourceMapping {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList { groupVersion: string; resources: { name: string; kind: string; namespaced: boolean }[] }
interface ApiGroupList { groups: { name: string; versions: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[] }

export class UnknownKindError extends Error {}

export class RestMapper {
  private readonly http: KubeHttp;
  private byGvk = new Map<string, ResourceMapping>();
  private preferred = new Map<string, string>(); // "group/kind" -> version
  private loaded: Promise<void> | undefined;

  constructor(http: KubeHttp) {
    this.http = http;
  }

  private async loadGroupVersion(gv: string, path: string): Promise<void> {
    const res = await this.http.request("GET", path);
    const list = res.body as ApiResourceList;
    const slash = gv.indexOf("/");
    const group = slash < 0 ? "" : gv.slice(0, slash);
    const version = slash < 0 ? gv : gv.slice(slash + 1);
    for (const r of list.resources) {
      if (r.name.includes("/")) continue; // subresources
      this.byGvk.set(`${group}/${version}/${r.kind}`, { group, version, kind: r.kind, resource: r.name, namespaced: r.namespaced });
    }
  }

  private async loadAll(): Promise<void> {
    const byGvk = new Map<string, ResourceMapping>();
    const preferred = new Map<string, string>();
    this.byGvk = byGvk;
    await this.loadGroupVersion("v1", "/api/v1");
    const groups = (await this.http.request("GET", "/apis")).body as ApiGroupList;
    const jobs: Promise<void>[] = [];
    for (const g of groups.groups) {
      for (const v of g.versions) jobs.push(this.loadGroupVersion(v.groupVersion, `/apis/${v.groupVersion}`).catch(() => undefined));
    }
    await Promise.all(jobs);
    for (const g of groups.groups) {
      const pv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
      if (!pv) continue;
      const version = pv.slice(pv.indexOf("/") + 1);
      for (const m of byGvk.values()) if (m.group === g.name && m.version === version) preferred.set(`${g.name}/${m.kind}`, version);
    }
    for (const m of byGvk.values()) if (m.group === "") preferred.set(`/${m.kind}`, m.version);
    this.preferred = preferred;
  }

  private ensure(): Promise<void> {
    this.loaded ??= this.loadAll().catch((err: unknown) => {
      this.loaded = undefined;
      throw err;
    });
    return this.loaded;
  }

  /** Forget everything: the next lookup runs discovery again. */
  invalidate(): void {
    this.loaded = undefined;
  }

  async mapping(apiVersion: string, kind: string): Promise<ResourceMapping> {
    await this.ensure();
    const slash = apiVersion.indexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const key = `${group}/${version}/${kind}`;
    let m = this.byGvk.get(key);
    // a miss may be a CRD established after our last discovery: rediscover, a few times while it settles
    for (let i = 0; !m && i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 300));
      this.invalidate();
      await this.ensure();
      m = this.byGvk.get(key);
    }
    if (!m) throw new UnknownKindError(`no resource for ${kind} in ${apiVersion} on the API server (is its CRD installed?)`);
    return m;
  }

  /** The server's preferred version for a group/kind, for refs that carry no version. */
  async preferredVersion(group: string, kind: string): Promise<string | undefined> {
    await this.ensure();
    return this.preferred.get(`${group}/${kind}`);
  }
}

export function resourcePath(m: ResourceMapping, namespace: string | undefined, name?: string): string {
  const base = m.group === "" ? `/api/${m.version}` : `/apis/${m.group}/${m.version}`;
  const ns = m.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${m.resource}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
