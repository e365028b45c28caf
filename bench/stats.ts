/** Small statistics and formatting helpers for benchmark results. Pure. */

/** Nearest-rank percentile (p in 0..100) of the finite samples; undefined when there are none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
  const s = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(rank, s.length) - 1];
}

export function median(samples: readonly number[]): number | undefined {
  const s = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return undefined;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "n/a";
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 120_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(0).padStart(2, "0")}s`;
}

export function formatMiB(kib: number | undefined): string {
  return kib === undefined ? "n/a" : `${(kib / 1024).toFixed(0)} MiB`;
}

/** "plumb 2.4x faster than kubectl" / "plumb 1.3x slower than kubectl", from two durations. */
export function ratioText(plumbMs: number | undefined, baselineMs: number | undefined, baseline: string): string {
  if (plumbMs === undefined || baselineMs === undefined || !(plumbMs > 0) || !(baselineMs > 0)) return "n/a";
  const r = baselineMs / plumbMs;
  return r >= 1 ? `plumb ${r.toFixed(1)}x faster than ${baseline}` : `plumb ${(1 / r).toFixed(1)}x slower than ${baseline}`;
}

export type Verdict = "met" | "missed" | "n/a";

export function verdict(measured: number | undefined, limit: number, cmp: "<" | "<=" | ">="): Verdict {
  if (measured === undefined || !Number.isFinite(measured)) return "n/a";
  const ok = cmp === "<" ? measured < limit : cmp === "<=" ? measured <= limit : measured >= limit;
  return ok ? "met" : "missed";
}

/** A Markdown table; cells are escaped for pipes. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string): string => c.replace(/\|/g, "\\|");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n") + "\n";
}

/** A plain-text table for the terminal. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}
