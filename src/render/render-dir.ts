/**
 * A render's private kustomize directory inside a shared staged copy: created beside spec.path (same parent, so
 * every relative path resolves as from spec.path itself), holding the amended kustomization file and symlinks to
 * the other entries of spec.path. The shared files are never written; the directory is removed after the render.
 */
import { mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** Name prefix of private render directories; directory listings of a staged copy leave them out. */
export const RENDER_DIR_PREFIX = ".plumbline-render-";

export function isRenderDirName(name: string): boolean {
  return name.startsWith(RENDER_DIR_PREFIX);
}

export interface RenderDir {
  /** The directory kustomize builds. */
  dir: string;
  remove(): Promise<void>;
}

export async function makeRenderDir(specDir: string, fileName: string, content: string): Promise<RenderDir> {
  const dir = await mkdtemp(join(dirname(specDir), RENDER_DIR_PREFIX));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const names = (await readdir(specDir)).filter((n) => n !== fileName && !isRenderDirName(n));
    await Promise.all(names.map((n) => symlink(join(specDir, n), join(dir, n))));
    await writeFile(join(dir, fileName), content, { mode: 0o600 });
  } catch (err) {
    await remove();
    throw err;
  }
  return { dir, remove };
}
