#!/usr/bin/env bash
# Builds the real tools Plumbline's tests and demo use, and users without them on PATH, once per machine, into
#   ${PLUMBLINE_CACHE:-$HOME/.cache/plumbline}/tools/bin
# kustomize, helm, sops, age and age-keygen, each from its Go module at the version pinned in tools/<name>/go.mod,
# fetched from the Go module proxy. A no-op when each cached build id matches (go.mod, go.sum, Go version, flags).
# Needs Go >= the go directive of tools/*/go.mod (1.26).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/go-build.sh"

DEST="$PLUMBLINE_CACHE/tools"

# pinned MODDIR MODULE: the version tools/MODDIR/go.mod requires MODULE at.
pinned() {
  local v; v=$(awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$ROOT/tools/$1/go.mod")
  [ -n "$v" ] || { echo "[tools] cannot read the $2 version from tools/$1/go.mod" >&2; return 1; }
  echo "$v"
}

# age first: small, and the SOPS interoperability tests need it with sops.
AGE=$(pinned age filippo.io/age)
go_build_cached age "$DEST" "$ROOT/tools/age" \
  "filippo.io/age/cmd/age=age" "filippo.io/age/cmd/age-keygen=age-keygen" -- "-X main.Version=$AGE"

# kustomize finds its own version in the build info (the kustomize/v5 module's version); nothing to stamp.
go_build_cached kustomize "$DEST" "$ROOT/tools/kustomize" "sigs.k8s.io/kustomize/kustomize/v5=kustomize"

# sops carries its version as a constant of its version package.
go_build_cached sops "$DEST" "$ROOT/tools/sops" "github.com/getsops/sops/v3/cmd/sops=sops"

# helm's own version variable holds only major.minor; its release build stamps the full version (Makefile LDFLAGS).
HELM=$(pinned helm helm.sh/helm/v4)
go_build_cached helm "$DEST" "$ROOT/tools/helm" "helm.sh/helm/v4/cmd/helm=helm" -- \
  "-X helm.sh/helm/v4/internal/version.version=$HELM -X helm.sh/helm/v4/internal/version.gitTreeState=clean"

echo "[tools] kustomize, helm, sops, age and age-keygen in $DEST/bin"
