/** When each source is polled in watch mode: every source at its own interval, counted from its last poll. Pure. */

export interface PolledSource {
  key: string;
  intervalMs: number;
}

/** Records a first due time for sources not seen yet; returns the earliest due time (or now + 1 min when none). */
export function nextWake(sources: readonly PolledSource[], due: Map<string, number>, now: number): number {
  for (const s of sources) if (!due.has(s.key)) due.set(s.key, now + s.intervalMs);
  const times = sources.map((s) => due.get(s.key) ?? now + s.intervalMs);
  return times.length ? Math.min(...times) : now + 60_000;
}

/** The sources whose poll is due at `now`; with none due (no sources yet), all of them. */
export function dueSources(sources: readonly PolledSource[], due: ReadonlyMap<string, number>, now: number): PolledSource[] {
  return sources.filter((s) => (due.get(s.key) ?? now) <= now);
}
