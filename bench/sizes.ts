/** Benchmark sizes: how many objects, namespaces and Kustomizations each case generates. Pure. */

export type SizeName = "small" | "default" | "large";

export interface SizeProfile {
  name: SizeName;
  /** Core objects (ConfigMaps, Secrets, Services, Deployments in equal parts) of the initial apply. */
  objects: number;
  namespaces: number;
  customResources: number;
  /** Measured drift corrections in watch mode. */
  driftIterations: number;
  /** ConfigMaps in the watched tree of the drift case. */
  driftObjects: number;
  chainLevels: number;
  chainObjectsPerLevel: number;
  /** Kustomizations (4 objects each) of the many-Kustomizations case. */
  manyKustomizations: number;
  /** Paired rounds of the initial apply (plumb then kubectl, each into fresh namespaces); the verdict takes the median ratio. */
  initialApplyRounds: number;
  /** Sizes of the side-by-side case 5 with Flux (Kustomizations of 4 objects each; Plumbline runs each size too). */
  fluxManyKustomizations: number[];
  /** Measured drift corrections of Flux at `interval: 1m` (each waits up to a minute). */
  fluxDriftIterations: number;
}

const PROFILES: Record<SizeName, SizeProfile> = {
  small: { name: "small", objects: 200, namespaces: 4, customResources: 20, driftIterations: 5, driftObjects: 10, chainLevels: 6, chainObjectsPerLevel: 2, manyKustomizations: 40, initialApplyRounds: 3, fluxManyKustomizations: [100, 500], fluxDriftIterations: 1 },
  default: { name: "default", objects: 1000, namespaces: 20, customResources: 100, driftIterations: 20, driftObjects: 10, chainLevels: 6, chainObjectsPerLevel: 2, manyKustomizations: 200, initialApplyRounds: 3, fluxManyKustomizations: [100, 500, 1000], fluxDriftIterations: 2 },
  large: { name: "large", objects: 3000, namespaces: 30, customResources: 300, driftIterations: 20, driftObjects: 10, chainLevels: 6, chainObjectsPerLevel: 2, manyKustomizations: 1000, initialApplyRounds: 2, fluxManyKustomizations: [100, 500, 1000], fluxDriftIterations: 3 },
};

export function sizeProfile(name: string): SizeProfile {
  if (name === "small" || name === "default" || name === "large") return PROFILES[name];
  throw new Error(`--size ${name}: expected small, default or large`);
}
