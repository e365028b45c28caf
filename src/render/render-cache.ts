/**
 * The render cache on disk: one JSON file per key (see render-cache-key.ts) in a private directory, written
 * atomically, bounded by entry count and size (least recently used go first). A missing, unreadable or
 * malformed entry is a miss. Never holds decrypted data: callers only cache renders without a decryptor.
 */
import { chmod, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { KubeObject } from "../core/object-ref.ts";
import { entriesToEvict, RENDER_CACHE_FORMAT, type CacheEntryInfo } from "./render-cache-key.ts";

const MAX_ENTRIES = 2000;
const MAX_BYTES = 512 * 1024 * 1024;
/** Writes between two size checks of the cache directory. */
const EVICT_EVERY = 100;

interface Stored {
  format: number;
  key: string;
  objects: KubeObject[];
}

const fileOf = (dir: string, key: string): string => join(dir, `${key}.json`);

function looksLikeObjects(v: unknown): v is KubeObject[] {
  return Array.isArray(v) && v.every((o) => !!o && typeof o === "object" && typeof (o as KubeObject).kind === "string" && typeof (o as KubeObject).apiVersion === "string" && !!(o as KubeObject).metadata);
}

export async function readRenderCache(dir: string, key: string): Promise<KubeObject[] | undefined> {
  const file = fileOf(dir, key);
  let stored: Stored;
  try {
    stored = JSON.parse(await readFile(file, "utf8")) as Stored;
  } catch {
    return undefined;
  }
  if (stored?.format !== RENDER_CACHE_FORMAT || stored.key !== key || !looksLikeObjects(stored.objects)) {
    await rm(file, { force: true }).catch(() => undefined);
    return undefined;
  }
  const now = new Date();
  void utimes(file, now, now).catch(() => undefined); // recently used
  return stored.objects;
}

let writes = 0;

export async function writeRenderCache(dir: string, key: string, objects: readonly KubeObject[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = fileOf(dir, key);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const stored: Stored = { format: RENDER_CACHE_FORMAT, key, objects: [...objects] };
  try {
    await writeFile(tmp, JSON.stringify(stored), { mode: 0o600 });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  if (writes++ % EVICT_EVERY === 0) await evict(dir);
}

async function evict(dir: string): Promise<void> {
  const infos: CacheEntryInfo[] = [];
  for (const name of await readdir(dir)) {
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (!st) continue;
    if (name.endsWith(".json")) infos.push({ name, size: st.size, mtimeMs: st.mtimeMs });
    else if (name.endsWith(".tmp") && Date.now() - st.mtimeMs > 3_600_000) await rm(join(dir, name), { force: true }); // left by a killed process
  }
  for (const name of entriesToEvict(infos, MAX_ENTRIES, MAX_BYTES)) await rm(join(dir, name), { force: true });
}
