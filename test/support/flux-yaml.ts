/** Flux objects as YAML for fixtures (pure: importing it starts nothing). */

/** A Kustomization object (Flux v1) as YAML, for fixtures; `interval` as written (`10m`, or `10m0s` as `flux create --export` writes it). */
export function kustomizationYaml(name: string, ns: string, path: string, extra = "", interval = "10m"): string {
  return `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  interval: ${interval}
  path: ${path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
${extra}`;
}
