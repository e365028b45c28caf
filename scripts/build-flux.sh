#!/usr/bin/env bash
# Builds Flux's source-controller and kustomize-controller for `npm run bench` (the side-by-side cases), once
# per machine, into
#   ${PLUMBLINE_CACHE:-$HOME/.cache/plumbline}/flux-<version>/bin
# from the pinned releases in tools/flux/go.mod, fetched from the Go module proxy. A no-op when the cached
# build id matches. Runs at nice 10: the machine is small and other builds may be running.
# Not part of npm test or CI: only the benchmark needs Flux.
set -euo pipefail
if [ "$(nice)" -lt 10 ]; then exec nice -n $((10 - $(nice))) bash "$0" "$@"; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/go-build.sh"

FMOD="$ROOT/tools/flux"
modver() { sed -nE "s#^\s*$1 v([0-9][^ ]*)( .*)?\$#\1#p" "$FMOD/go.mod"; }
SC=$(modver github.com/fluxcd/source-controller)
KC=$(modver github.com/fluxcd/kustomize-controller)
[ -n "$SC" ] && [ -n "$KC" ] || { echo "[flux] cannot read the controller versions from $FMOD/go.mod" >&2; exit 1; }
VERSION=$SC; [ "$SC" = "$KC" ] || VERSION="$SC-$KC"
DEST="$PLUMBLINE_CACHE/flux-$VERSION"

go_build_cached flux "$DEST" "$FMOD" \
  "github.com/fluxcd/source-controller=source-controller" "github.com/fluxcd/kustomize-controller=kustomize-controller"
