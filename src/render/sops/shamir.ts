/** Shamir secret sharing over GF(2^8) (AES polynomial), compatible with sops' shamir package (from HashiCorp Vault). */
import { randomBytes } from "node:crypto";

/** Multiplication in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1, the field of sops' (Vault's) log/exp tables. */
export function mul(a: number, b: number): number {
  let r = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) r ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return r;
}

function inv(a: number): number {
  // a^254 = a^-1 in GF(2^8)
  let r = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) r = mul(r, base);
    base = mul(base, base);
    e >>= 1;
  }
  return r;
}

function div(a: number, b: number): number {
  if (b === 0) throw new Error("shamir: divide by zero");
  return mul(a, inv(b));
}

function evaluate(coefficients: Uint8Array, x: number): number {
  let out = coefficients[coefficients.length - 1] ?? 0;
  for (let i = coefficients.length - 2; i >= 0; i--) out = mul(out, x) ^ (coefficients[i] ?? 0);
  return out;
}

/** Splits a secret into `parts` shares, `threshold` of which recover it. Each share is the secret's length + 1 (x coordinate last). */
export function split(secret: Uint8Array, parts: number, threshold: number): Uint8Array[] {
  if (parts < threshold) throw new Error("shamir: parts cannot be less than threshold");
  if (parts > 255) throw new Error("shamir: parts cannot exceed 255");
  if (threshold < 2) throw new Error("shamir: threshold must be at least 2");
  if (secret.length === 0) throw new Error("shamir: cannot split an empty secret");
  // Distinct random non-zero x coordinates.
  const xs: number[] = [];
  const pool = Array.from({ length: 255 }, (_, i) => i + 1);
  for (let i = 0; i < parts; i++) {
    const j = i + (randomBytes(1)[0] ?? 0) % (pool.length - i);
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
    xs.push(pool[i] as number);
  }
  const out = xs.map((x) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = x;
    return share;
  });
  for (let idx = 0; idx < secret.length; idx++) {
    const coefficients = new Uint8Array(threshold);
    coefficients[0] = secret[idx] ?? 0;
    coefficients.set(randomBytes(threshold - 1), 1);
    xs.forEach((x, i) => {
      (out[i] as Uint8Array)[idx] = evaluate(coefficients, x);
    });
  }
  return out;
}

/** Recovers the secret from at least `threshold` shares. */
export function combine(parts: Uint8Array[]): Uint8Array {
  if (parts.length < 2) throw new Error("shamir: less than two parts cannot be used to reconstruct the secret");
  const len = parts[0]?.length ?? 0;
  if (len < 2) throw new Error("shamir: parts must be at least two bytes");
  if (parts.some((p) => p.length !== len)) throw new Error("shamir: all parts must be the same length");
  const xs = parts.map((p) => p[len - 1] ?? 0);
  if (new Set(xs).size !== xs.length) throw new Error("shamir: duplicate part detected");
  const secret = new Uint8Array(len - 1);
  for (let idx = 0; idx < len - 1; idx++) {
    let result = 0;
    for (let i = 0; i < parts.length; i++) {
      let basis = 1;
      for (let j = 0; j < parts.length; j++) {
        if (i === j) continue;
        basis = mul(basis, div(xs[j] as number, (xs[i] as number) ^ (xs[j] as number)));
      }
      result ^= mul((parts[i] as Uint8Array)[idx] ?? 0, basis);
    }
    secret[idx] = result;
  }
  return secret;
}
