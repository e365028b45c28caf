/** Number formatting that matches Go's strconv, as sops uses it. Pure functions. */

/** Decimal digits and exponent of the shortest round-tripping representation of a finite float. */
function shortestDigits(f: number): { digits: string; exp: number } {
  // toExponential() without argument gives the shortest digits that round-trip, like Go's shortest formatting.
  const s = Math.abs(f).toExponential();
  const [mantissa = "0", e = "0"] = s.split("e");
  return { digits: mantissa.replace(".", ""), exp: Number(e) };
}

/** strconv.FormatFloat(f, 'f', -1, 64): never an exponent. */
export function formatFloatF(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  const sign = f < 0 || Object.is(f, -0) ? "-" : "";
  if (f === 0) return sign + "0";
  const { digits, exp } = shortestDigits(f);
  const point = exp + 1; // position of the decimal point relative to the digits
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  return sign + out;
}

/** strconv.FormatFloat(f, 'g', -1, 64), with go-yaml's spellings of infinities and NaN. */
export function formatFloatYaml(f: number): string {
  if (Number.isNaN(f)) return ".nan";
  if (!Number.isFinite(f)) return f > 0 ? ".inf" : "-.inf";
  const sign = f < 0 || Object.is(f, -0) ? "-" : "";
  if (f === 0) return sign + "0";
  const { digits, exp } = shortestDigits(f);
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const absExp = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${absExp < 10 ? "0" : ""}${absExp}`;
  }
  return formatFloatF(f);
}

/** encoding/json's float formatting (ES number-to-string agrees with it for finite values). */
export function formatFloatJson(f: number): string {
  if (!Number.isFinite(f)) throw new Error("JSON cannot represent a non-finite number");
  return String(f);
}

/** strconv.ParseBool. */
export function parseGoBool(s: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(s)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(s)) return false;
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi / ParseInt(s, 10, 64). */
export function parseGoInt(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

/** strconv.ParseFloat(s, 64) for the forms sops writes and YAML/JSON produce. */
export function parseGoFloat(s: string): number | undefined {
  const t = s.replaceAll("_", "");
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

export function inInt64Range(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}
