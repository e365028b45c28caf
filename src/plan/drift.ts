/** A field-by-field change report, changes from Git apart from drift in the cluster: path, live value, Git value, and who last wrote the field. Secret values masked. Pure. */
import type { FieldDrift } from "../core/events.ts";
import type { KubeObject } from "../core/object-ref.ts";
import { fieldsCover, isTakeoverManager, leafPaths, ownersOf, type PathSegment } from "./managed-fields.ts";

const IGNORED_TOP = new Set(["status"]);
const IGNORED_META = new Set(["resourceVersion", "generation", "managedFields", "creationTimestamp", "uid", "selfLink"]);

export function formatPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `["${s}"]`)).join("");
}

function render(v: unknown): string {
  if (v === undefined) return "<absent>";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function isSecretValue(obj: KubeObject, path: readonly PathSegment[]): boolean {
  return obj.kind === "Secret" && (path[0] === "data" || path[0] === "stringData");
}

function diffLeaves(a: unknown, b: unknown, path: PathSegment[], out: PathSegment[][]): void {
  if (path.length === 1 && IGNORED_TOP.has(String(path[0]))) return;
  if (path.length === 2 && path[0] === "metadata" && IGNORED_META.has(String(path[1]))) return;
  const aObj = a !== null && typeof a === "object";
  const bObj = b !== null && typeof b === "object";
  if (aObj && bObj && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) diffLeaves(a[i], b[i], [...path, i], out);
    } else {
      const ka = a as Record<string, unknown>;
      const kb = b as Record<string, unknown>;
      for (const k of new Set([...Object.keys(ka), ...Object.keys(kb)])) diffLeaves(ka[k], kb[k], [...path, k], out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
}

/** Where a changed field's live value came from: what we applied from Git before, or a change made in the cluster. */
export type ChangeOrigin = "git" | "cluster";

export interface FieldChanges {
  /** Fields that change because Git (or the Kustomization's spec) now asks for something else: configuration, not drift. */
  fromGit: FieldDrift[];
  /** Fields the cluster changed since our last apply (written or removed by another manager), now corrected. */
  drift: FieldDrift[];
}

export interface DriftOptions {
  /**
   * The desired state is what the last successful apply applied (same revision, same Kustomization spec, no
   * variables read from the cluster): every difference was then made in the cluster, also a field removed (fieldsV1
   * keeps no trace of a removal) or a value written without a managedFields entry. Without it a missing field counts
   * as new in Git, and a value our manager holds as Git's.
   */
  desiredUnchanged?: boolean;
}

/** Who made a drifted field differ, from managedFields: the manager and time, or a removal (which leaves no entry). */
export function describeWriter(f: FieldDrift): string {
  if (!f.manager) return f.live === "<absent>" ? "removed in the cluster" : "changed in the cluster, no field manager recorded";
  return `last written by ${f.manager}${f.time ? ` at ${f.time}` : ""}`;
}

function valueAt(obj: unknown, path: readonly PathSegment[]): unknown {
  let cur = obj;
  for (const s of path) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[s] : undefined;
  return cur;
}

/**
 * Who made a field differ. The live value's owners decide (an atomic ancestor's owners for a field inside it):
 * our own manager wrote it, so the new desired value is a change in Git; another manager wrote it (kubectl,
 * kubectl-edit, kubectl-scale, before-first-apply, a controller...), so the cluster drifted. A value nobody owns is
 * a default the server filled in, and a field Git sets that the live object lacks is new in Git, unless Git has
 * not changed since the last apply: then whatever differs was changed in the cluster, recorded or not (a removal
 * leaves no entry).
 */
export function originOf(path: readonly PathSegment[], live: KubeObject, ourManager: string, opts: DriftOptions = {}): { origin: ChangeOrigin; manager: string | undefined; time: string | undefined } {
  const owners = ownersOf(live, path);
  const ours = owners.find((e) => e.manager === ourManager);
  if (ours && opts.desiredUnchanged !== true) return { origin: "git", manager: ours.manager, time: ours.time };
  const foreign = owners.filter((e) => e.manager !== ourManager).sort((a, b) => (b.time ?? "").localeCompare(a.time ?? ""))[0];
  if (foreign) return { origin: "cluster", manager: foreign.manager, time: foreign.time };
  // Git unchanged, so we applied this value before: whatever differs now was changed in the cluster without an
  // entry of its own (a removal; a write through /scale on Kubernetes before 1.22, which left our entry holding it)
  if (opts.desiredUnchanged === true) return { origin: "cluster", manager: undefined, time: undefined };
  return { origin: "git", manager: undefined, time: undefined };
}

/**
 * Compares the object as it would be after our apply (`applied`, from a dry-run) with `live`, adds fields held by
 * managers we take ownership back from that Git does not set (the takeover removes them; the dry-run, made before
 * it, still shows them), and sorts each changed
 * field into a change from Git or drift in the cluster (see originOf).
 */
/**
 * Fields the API server writes itself and puts back whatever a client does (recorded under the manager of the
 * request that made the object, e.g. kubectl-create): never drift. Today one: a Namespace's
 * `kubernetes.io/metadata.name` label (Kubernetes >= 1.21).
 */
function isServerSet(live: KubeObject, path: readonly PathSegment[]): boolean {
  return live.kind === "Namespace" && path.length === 3 && path[0] === "metadata" && path[1] === "labels" && path[2] === "kubernetes.io/metadata.name";
}

export function driftReport(applied: KubeObject, live: KubeObject, ourManager: string, opts: DriftOptions = {}): FieldChanges {
  const paths: PathSegment[][] = [];
  diffLeaves(applied, live, [], paths);
  const seen = new Set(paths.map((p) => formatPath(p)));
  // the dry-run keeps what another manager holds; what our own entry in it does not cover, Git does not set
  const ourApplied = (applied.metadata.managedFields ?? []).find((e) => e.manager === ourManager && !e.subresource);
  const dropped = new Set<string>();
  for (const e of live.metadata.managedFields ?? []) {
    if (!isTakeoverManager(e, ourManager)) continue;
    for (const p of leafPaths(e.fieldsV1, live)) {
      const key = formatPath(p);
      if (!p.length || seen.has(key) || valueAt(live, p) === undefined || isServerSet(live, p)) continue;
      if (!fieldsCover(ourApplied?.fieldsV1, applied, p)) {
        paths.push(p);
        seen.add(key);
        dropped.add(key);
      }
    }
  }
  const out: FieldChanges = { fromGit: [], drift: [] };
  for (const p of paths) {
    const lv = valueAt(live, p);
    const dv = dropped.has(formatPath(p)) ? undefined : valueAt(applied, p);
    const { origin, manager, time } = originOf(p, live, ourManager, opts);
    const masked = isSecretValue(live, p);
    const field: FieldDrift = {
      path: formatPath(p),
      live: masked ? (lv === undefined ? "<absent>" : "<redacted>") : render(lv),
      desired: masked ? (dv === undefined ? "<absent>" : "<redacted>") : render(dv),
      manager,
      time,
    };
    (origin === "git" ? out.fromGit : out.drift).push(field);
  }
  return out;
}
