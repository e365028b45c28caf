/**
 * Keys and bounds of the render cache: kustomize's output for one source artifact and one Kustomization's build
 * inputs. Pure.
 *
 * What is cached is kustomize's output as parsed, before decryption, postBuild substitution and our metadata,
 * so the key holds exactly what kustomize's output depends on: the artifact digest, spec.path, the fields
 * amended into the kustomization file, and the kustomize binary. Renders with a decryptor are never cached
 * (SOPS generator inputs are decrypted before kustomize runs, so their output may hold plaintext).
 */
import { createHash } from "node:crypto";
import type { KustomizationSpec } from "../core/api-types.ts";

/**
 * Bump when the cached form or what goes into it changes (a cached output skips the preflight too, so a stricter
 * preflight is a new format: 2 confines every path field and fails a generated folder's file that is not objects).
 */
export const RENDER_CACHE_FORMAT = 2;

export interface RenderCacheKeyInput {
  /** The source artifact's content digest. */
  digest: string;
  spec: KustomizationSpec;
  /** Identifies the kustomize binary (path, arguments, size and mtime). */
  kustomize: string;
}

export function renderCacheKey(i: RenderCacheKeyInput): string {
  const s = i.spec;
  const parts = [RENDER_CACHE_FORMAT, i.digest, s.path ?? "./", s.targetNamespace ?? null, s.namePrefix ?? null, s.nameSuffix ?? null, s.patches ?? null, s.images ?? null, s.components ?? null, i.kustomize];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** Whether a render may be cached at all: only with a digest to key on and no decryption involved. */
export function isCacheable(i: { digest?: string | undefined; decrypts: boolean }): boolean {
  return !!i.digest && !i.decrypts;
}

export interface CacheEntryInfo {
  name: string;
  size: number;
  mtimeMs: number;
}

/** Entries to delete, least recently used first, so at most `maxEntries` and `maxBytes` remain. */
export function entriesToEvict(entries: readonly CacheEntryInfo[], maxEntries: number, maxBytes: number): string[] {
  const newestFirst = [...entries].sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
  const out: string[] = [];
  let bytes = 0;
  newestFirst.forEach((e, i) => {
    bytes += e.size;
    if (i >= maxEntries || bytes > maxBytes) out.push(e.name);
  });
  return out;
}
