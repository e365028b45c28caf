/** Human and JSON renderings of engine results and progress events. */
import type { EngineEvent, FieldDrift } from "../core/events.ts";
import { describeRef } from "../core/object-ref.ts";
import { describeWriter } from "../plan/drift.ts";
import type { KustomizationResult } from "../reconcile/reconcile-kustomization.ts";
import type { SyncReport } from "../reconcile/sync.ts";

/** `plumb diff`'s lines for one configured object: the fields Git changes, then drift the sync would correct. */
export function changedFieldLines(c: { fromGit?: readonly FieldDrift[]; drift?: readonly FieldDrift[] }): string {
  const git = (c.fromGit ?? []).map((f) => `      ${f.path}: ${f.live} -> ${f.desired}   [changed in Git]\n`);
  const drift = (c.drift ?? []).map((f) => `      ⚠ drift ${f.path}: live ${f.live} -> git ${f.desired}   [${describeWriter(f)}]\n`);
  return git.join("") + drift.join("");
}

export function printEvent(e: EngineEvent, out: (s: string) => void, verbose = false): void {
  switch (e.type) {
    case "source.fetched":
      out(`◎ ${e.source} fetched ${e.revision} (${e.durationMs} ms)\n`);
      break;
    case "drift.detected":
      out(`⚠ drift ${describeRef(e.ref)} (${e.kustomization}): changed in the cluster, corrected to Git:\n`);
      for (const f of e.fields) out(`    ${f.path}: live ${f.live} -> git ${f.desired}   [${describeWriter(f)}]\n`);
      break;
    case "prune.object":
      out(`✂ pruned ${describeRef(e.ref)} (${e.kustomization})\n`);
      break;
    case "kustomization.done":
      out(`${e.ready ? "✔" : "✖"} Kustomization ${e.kustomization}: ${e.message}\n`);
      break;
    case "apply.object":
      if (verbose && e.action !== "unchanged") {
        out(`  ${e.action} ${describeRef(e.ref)}\n`);
        for (const f of e.fields ?? []) out(`      ${f.path}: ${f.live} -> ${f.desired}\n`);
      }
      break;
    case "log":
      if (e.level !== "info" || verbose) out(`${e.level === "info" ? "" : `${e.level}: `}${e.message}\n`);
      break;
    default:
      break;
  }
}

export function syncTable(results: readonly KustomizationResult[]): string {
  const rows = [["NAME", "REVISION", "CREATED", "CONFIGURED", "UNCHANGED", "DELETED", "SKIPPED", "READY", "DURATION"]];
  for (const r of results) {
    rows.push([`${r.namespace}/${r.name}`, r.revision.replace(/(@sha1:[0-9a-f]{12})[0-9a-f]+$/, "$1") || "-", String(r.changes.created), String(r.changes.configured), String(r.changes.unchanged), String(r.changes.deleted), String(r.changes.skipped), r.ready ? "True" : `False (${r.reason})`, `${(r.durationMs / 1000).toFixed(1)}s`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n";
  // every failure with its reason and message under the table, so table mode alone says why it failed
  const failures = results.filter((r) => !r.ready).map((r) => `✖ ${r.namespace}/${r.name} ${r.reason}: ${r.message}\n`);
  return table + failures.join("");
}

export function syncJson(report: SyncReport): string {
  return JSON.stringify({
    kustomizations: report.kustomizations.map((r) => ({ name: r.name, namespace: r.namespace, revision: r.revision, ready: r.ready, reason: r.reason, message: r.message, changes: r.changes, durationMs: r.durationMs })),
    writes: report.writes,
    durationMs: report.durationMs,
  }, null, 2) + "\n";
}
