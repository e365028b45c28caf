/** Fetches GitRepository artifacts for Kustomizations, once per revision per run, and records source status. */
import type { KubeClient } from "../kube/client.ts";
import { patchStatus } from "../apply/status-writer.ts";
import type { GitRepositorySpec } from "../core/api-types.ts";
import { setCondition, type Condition } from "../core/conditions.ts";
import { SourceError, errorMessage } from "../core/errors.ts";
import type { EventSink } from "../core/events.ts";
import { GIT_REPOSITORY_API_VERSION, REQUESTED_AT_ANNOTATION } from "../core/flux-api.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { authFromSecretData, fetchArtifact, parseGoDuration, type FetchedArtifact } from "../source/index.ts";

export interface ResolvedSource {
  artifact: FetchedArtifact;
  object: KubeObject;
}

export class SourceResolver {
  private readonly kube: KubeClient;
  private readonly cacheDir: string;
  private readonly events: EventSink;
  private readonly inflight = new Map<string, Promise<ResolvedSource>>();
  /** Fetches started before the GitRepository was read (see prefetch), by "namespace/name". */
  private readonly early = new Map<string, { spec: GitRepositorySpec; artifact: Promise<FetchedArtifact> }>();
  /** spec.interval of every source fetched so far, by "namespace/name" (watch mode polls each at its own). */
  private readonly intervals = new Map<string, number>();

  constructor(kube: KubeClient, cacheDir: string, events: EventSink) {
    this.kube = kube;
    this.cacheDir = cacheDir;
    this.events = events;
  }

  /** Forget fetched revisions so the next resolve fetches again: all of them, or the given "namespace/name" keys. */
  refresh(keys?: Iterable<string>): void {
    if (!keys) {
      this.inflight.clear();
      this.early.clear();
      return;
    }
    for (const k of keys) {
      this.inflight.delete(k);
      this.early.delete(k);
    }
  }

  /**
   * Starts fetching a source whose spec is already known (the bootstrap source of `plumb sync`) while the
   * cluster objects are still being put in place. The next resolve of that source uses it when the
   * GitRepository's fetch inputs turn out the same; a source with credentials is not fetched early.
   */
  prefetch(namespace: string, name: string, spec: GitRepositorySpec): Promise<void> {
    if (spec.secretRef?.name) return Promise.resolve();
    // fetchArtifact takes spec.timeout itself (an unreadable one becomes the fetch's error, reported by the resolve)
    const artifact = fetchArtifact(spec, { cacheDir: this.cacheDir });
    this.early.set(`${namespace}/${name}`, { spec, artifact });
    return artifact.then(() => undefined, () => undefined); // an error is reported by the resolve that uses it
  }

  /** Sources fetched so far with their polling interval in ms. */
  known(): { key: string; intervalMs: number }[] {
    return [...this.intervals].map(([key, intervalMs]) => ({ key, intervalMs }));
  }

  resolve(namespace: string, name: string): Promise<ResolvedSource> {
    const key = `${namespace}/${name}`;
    let p = this.inflight.get(key);
    if (!p) {
      p = this.fetch(namespace, name);
      this.inflight.set(key, p);
      p.catch(() => this.inflight.delete(key));
    }
    return p;
  }

  private async fetch(namespace: string, name: string): Promise<ResolvedSource> {
    const obj = await this.kube.get(GIT_REPOSITORY_API_VERSION, "GitRepository", namespace, name);
    if (!obj) throw new SourceError(`GitRepository/${namespace}/${name}: not found`);
    const spec = obj["spec"] as GitRepositorySpec;
    this.intervals.set(`${namespace}/${name}`, pollInterval(spec.interval));
    const t0 = Date.now();
    const status = (obj["status"] ?? {}) as { conditions?: Condition[]; artifact?: { revision?: string }; lastHandledReconcileAt?: string };
    const requestedAt = obj.metadata.annotations?.[REQUESTED_AT_ANNOTATION];
    try {
      let auth;
      if (spec.secretRef?.name) {
        const secret = await this.kube.get("v1", "Secret", namespace, spec.secretRef.name);
        if (!secret) throw new SourceError(`GitRepository/${namespace}/${name}: secret "${spec.secretRef.name}" not found`);
        auth = authFromSecretData((secret["data"] ?? {}) as Record<string, string>);
      }
      const timeoutMs = spec.timeout ? parseGoDuration(spec.timeout) : 60_000;
      const early = this.early.get(`${namespace}/${name}`);
      this.early.delete(`${namespace}/${name}`);
      let artifact: FetchedArtifact;
      if (early && !auth && sameFetchInputs(early.spec, spec)) artifact = await early.artifact;
      else {
        await early?.artifact.catch(() => undefined); // never two fetches into one cache directory at once
        artifact = await fetchArtifact(spec, { cacheDir: this.cacheDir, ...(auth ? { auth } : {}), timeoutMs });
      }
      this.events({ type: "source.fetched", source: `GitRepository/${namespace}/${name}`, revision: artifact.revision, durationMs: Date.now() - t0 });
      if (status.artifact?.revision !== artifact.revision || status.conditions?.find((c) => c.type === "Ready")?.status !== "True" || (requestedAt !== undefined && requestedAt !== status.lastHandledReconcileAt)) {
        const msg = `stored artifact for revision '${artifact.revision}'`;
        let conditions = setCondition(status.conditions ?? [], { type: "Ready", status: "True", reason: "Succeeded", message: msg }, new Date());
        conditions = setCondition(conditions, { type: "ArtifactInStorage", status: "True", reason: "Succeeded", message: msg }, new Date());
        conditions = conditions.filter((c) => c.type !== "FetchFailed" && c.type !== "Reconciling" && c.type !== "Stalled");
        await patchStatus(this.kube, { apiVersion: GIT_REPOSITORY_API_VERSION, kind: "GitRepository", namespace, name }, {
          observedGeneration: obj.metadata.generation,
          conditions,
          ...(requestedAt !== undefined ? { lastHandledReconcileAt: requestedAt } : {}),
          artifact: { path: `gitrepository/${namespace}/${name}/${artifact.commit}.tar.gz`, url: `file://${artifact.dir}`, revision: artifact.revision, digest: artifact.digest, lastUpdateTime: artifact.lastUpdateTime, size: artifact.size },
        });
      }
      return { artifact, object: obj };
    } catch (err) {
      const message = errorMessage(err);
      const conditions = setCondition(status.conditions ?? [], { type: "Ready", status: "False", reason: "GitOperationFailed", message }, new Date());
      await patchStatus(this.kube, { apiVersion: GIT_REPOSITORY_API_VERSION, kind: "GitRepository", namespace, name }, { conditions: setCondition(conditions, { type: "FetchFailed", status: "True", reason: "GitOperationFailed", message }, new Date()) }).catch(() => undefined);
      throw err instanceof SourceError ? err : new SourceError(message, { cause: err });
    }
  }
}

/** A source's polling interval: spec.interval, at least one second; Flux's 1m when unset or unreadable. */
export function pollInterval(interval: string | undefined): number {
  try {
    return Math.max(1000, interval ? parseGoDuration(interval) : 60_000);
  } catch {
    return 60_000;
  }
}

/** True when two GitRepository specs fetch the same artifact: same url, ref, ignore rules and timeout (interval aside). */
export function sameFetchInputs(a: GitRepositorySpec, b: GitRepositorySpec): boolean {
  // an unset timeout is the CRD's default, 60s
  const timeout = (t: string | undefined): number => { try { return parseGoDuration(t ?? "60s"); } catch { return NaN; } };
  const pick = (s: GitRepositorySpec): string => JSON.stringify([s.url, s.ref ?? null, s.ignore ?? null, timeout(s.timeout), s.secretRef?.name ?? null]);
  return pick(a) === pick(b);
}
