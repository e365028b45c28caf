/** The cluster client: typed reads, server-side apply, delete, status patches, events and watches. */
import type { KubeObject } from "../core/object-ref.ts";
import { KubeApiError, KubeHttp } from "./http.ts";
import { loadKubeconfig, type ClusterConnection } from "./kubeconfig.ts";
import { RestMapper, resourcePath, type ResourceMapping } from "./rest-mapper.ts";

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
  /**
   * Ask for the result's metadata only (a PartialObjectMetadata: name, resourceVersion, labels, managedFields...):
   * the server encodes and we parse a fraction of the object, for callers that only need to know whether it exists.
   */
  metadataOnly?: boolean;
}

const PARTIAL_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const PARTIAL_METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject;
}

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

export class KubeClient {
  readonly http: KubeHttp;
  readonly mapper: RestMapper;

  constructor(conn: ClusterConnection) {
    this.http = new KubeHttp(conn);
    this.mapper = new RestMapper(this.http);
  }

  static fromKubeconfig(path?: string, context?: string): KubeClient {
    return new KubeClient(loadKubeconfig(path, context));
  }

  get server(): string {
    return this.http.conn.server;
  }

  close(): void {
    this.http.close();
  }

  async mapping(apiVersion: string, kind: string): Promise<ResourceMapping> {
    return this.mapper.mapping(apiVersion, kind);
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const m = await this.mapping(apiVersion, kind);
    try {
      const res = await this.http.request("GET", resourcePath(m, namespace, name));
      return res.body as KubeObject;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<ObjectList> {
    const m = await this.mapping(apiVersion, kind);
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set("labelSelector", opts.labelSelector);
    const qs = q.size ? `?${q}` : "";
    const res = await this.http.request("GET", resourcePath(m, opts.namespace, undefined) + qs);
    const body = res.body as { items: KubeObject[]; metadata: { resourceVersion: string } };
    for (const item of body.items) {
      item.apiVersion = apiVersion;
      item.kind = kind;
    }
    return { items: body.items, resourceVersion: body.metadata.resourceVersion };
  }

  /**
   * Which of `names` exist in one namespace (or cluster-wide for a cluster-scoped kind), asking for metadata only:
   * a GET per name for one or two names, else a paged list of the collection (only names are kept).
   */
  async existingNames(apiVersion: string, kind: string, namespace: string | undefined, names: readonly string[]): Promise<Set<string>> {
    const m = await this.mapping(apiVersion, kind);
    const found = new Set<string>();
    if (names.length <= 2) {
      await Promise.all(names.map(async (name) => {
        try {
          await this.http.request("GET", resourcePath(m, namespace, name), { accept: PARTIAL_METADATA });
          found.add(name);
        } catch (err) {
          if (!(err instanceof KubeApiError && err.status === 404)) throw err;
        }
      }));
      return found;
    }
    const wanted = new Set(names);
    let next = "";
    do {
      const q = new URLSearchParams({ limit: "500" });
      if (next) q.set("continue", next);
      const res = await this.http.request("GET", `${resourcePath(m, namespace, undefined)}?${q}`, { accept: PARTIAL_METADATA_LIST });
      const body = res.body as { items: { metadata: { name?: string } }[] | null; metadata: { continue?: string } };
      // "items" is null when the collection is empty
      for (const item of body.items ?? []) if (item.metadata.name && wanted.has(item.metadata.name)) found.add(item.metadata.name);
      next = body.metadata.continue ?? "";
    } while (next);
    return found;
  }

  /** Server-side apply (PATCH application/apply-patch+yaml; JSON is valid YAML). */
  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    const m = await this.mapping(obj.apiVersion, obj.kind);
    const q = new URLSearchParams({ fieldManager: opts.fieldManager });
    if (opts.force) q.set("force", "true");
    if (opts.dryRun) q.set("dryRun", "All");
    const path = `${resourcePath(m, obj.metadata.namespace, obj.metadata.name)}?${q}`;
    const res = await this.http.request("PATCH", path, { body: obj, contentType: "application/apply-patch+yaml", ...(opts.metadataOnly ? { accept: PARTIAL_METADATA } : {}) });
    return res.body as KubeObject;
  }

  async create(obj: KubeObject, dryRun = false): Promise<KubeObject> {
    const m = await this.mapping(obj.apiVersion, obj.kind);
    const res = await this.http.request("POST", resourcePath(m, obj.metadata.namespace, undefined) + (dryRun ? "?dryRun=All" : ""), { body: obj });
    return res.body as KubeObject;
  }

  /** Strategic/merge/JSON patch on the object or a subresource. */
  async patch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, contentType: string, subresource?: string): Promise<KubeObject> {
    const m = await this.mapping(apiVersion, kind);
    const path = resourcePath(m, namespace, name) + (subresource ? `/${subresource}` : "");
    const res = await this.http.request("PATCH", path, { body: patch, contentType });
    return res.body as KubeObject;
  }

  /** Deletes; returns false when the object was already gone. */
  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string, propagationPolicy: "Background" | "Foreground" | "Orphan" = "Background"): Promise<boolean> {
    const m = await this.mapping(apiVersion, kind);
    try {
      await this.http.request("DELETE", resourcePath(m, namespace, name), { body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy } });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  /**
   * Watches a collection from a resourceVersion; calls onEvent for each event until the signal aborts.
   * Returns when the server closes the stream (the caller re-lists and re-watches).
   */
  async watch(apiVersion: string, kind: string, opts: ListOptions & { resourceVersion?: string; signal: AbortSignal; timeoutSeconds?: number }, onEvent: (e: WatchEvent) => void): Promise<void> {
    const m = await this.mapping(apiVersion, kind);
    const q = new URLSearchParams({ watch: "1", allowWatchBookmarks: "true" });
    if (opts.resourceVersion) q.set("resourceVersion", opts.resourceVersion);
    if (opts.labelSelector) q.set("labelSelector", opts.labelSelector);
    q.set("timeoutSeconds", String(opts.timeoutSeconds ?? 300));
    await this.http.stream(`${resourcePath(m, opts.namespace, undefined)}?${q}`, (line) => {
      const e = line as WatchEvent;
      if (e.type !== "ERROR" && e.object) {
        e.object.apiVersion ??= apiVersion;
        e.object.kind ??= kind;
      }
      onEvent(e);
    }, opts.signal);
  }
}
