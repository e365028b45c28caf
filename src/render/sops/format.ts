/** File formats, detection of sops-encrypted content. Pure functions. */
import { isEncryptedValue } from "./cipher.ts";

export type SopsFormat = "yaml" | "json" | "dotenv" | "ini" | "binary";

/** By extension, as sops' formats.FormatForPath (case-sensitive; anything else is binary). */
export function formatFromPath(path: string): SopsFormat {
  if (path.endsWith(".yaml") || path.endsWith(".yml")) return "yaml";
  if (path.endsWith(".json")) return "json";
  if (path.endsWith(".env")) return "dotenv";
  if (path.endsWith(".ini")) return "ini";
  return "binary";
}

/** Flux's variant for Secret data keys and generator sources: `.dockerconfigjson` is JSON. */
export function formatForKey(key: string): SopsFormat {
  return key.endsWith(".dockerconfigjson") ? "json" : formatFromPath(key);
}

export function isSopsEncryptedValue(v: string): boolean {
  return isEncryptedValue(v);
}

/** Byte markers Flux uses to tell that a blob is a sops file of a given format. */
export const MARKERS: [SopsFormat, string][] = [
  ["json", '"mac": "ENC['],
  ["dotenv", "sops_mac=ENC["],
  ["yaml", "mac: ENC["],
  ["ini", "[sops]"],
];

export function markerFor(format: SopsFormat): string {
  const f = format === "binary" ? "json" : format;
  return MARKERS.find(([k]) => k === f)?.[1] ?? "";
}

/** The format of a sops-encrypted blob, from Flux's marker bytes; undefined if it does not look encrypted. */
export function detectEncryptedFormat(text: string): SopsFormat | undefined {
  for (const [format, marker] of MARKERS) if (text.includes(marker)) return format;
  return undefined;
}
