/** Go duration strings (`1m30s`, `60s`, `1.5h`, `500ms`) as Kubernetes/Flux specs use them. Pure. */

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a Go duration string; throws an Error naming the string when it is malformed. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s.startsWith("-") ? -1 : 1;
    pos = 1;
  }
  re.lastIndex = pos;
  let parts = 0;
  while (pos < s.length) {
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration "${text}"`);
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ""] ?? NaN);
    pos = re.lastIndex;
    parts++;
  }
  if (parts === 0 || !Number.isFinite(total)) throw new Error(`invalid duration "${text}"`);
  return sign * total;
}
