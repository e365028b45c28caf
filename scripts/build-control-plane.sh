#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubemark 1.20.2
# from Debian's `kubernetes` source package, once per machine, into
#   ${PLUMBLINE_CACHE:-$HOME/.cache/plumbline}/kube-1.20.2/bin
# Skipped when that directory (or $KUBEBUILDER_ASSETS) already holds the binaries.
set -euo pipefail

VERSION=1.20.2
CACHE="${PLUMBLINE_CACHE:-$HOME/.cache/plumbline}"
DEST="$CACHE/kube-$VERSION"
BINS=(kube-apiserver kube-controller-manager kube-scheduler kubemark)

# Bump when the build changes (patches below), so cached binaries from an older recipe are rebuilt.
BUILD_ID="1.20.2+reflect2-1.0.2"

have_all() {
  local dir="$1"
  for b in "${BINS[@]}"; do [ -x "$dir/$b" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && have_all "$KUBEBUILDER_ASSETS"; then
  echo "[control-plane] using binaries from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"; exit 0
fi
if have_all "$DEST/bin" && [ "$(cat "$DEST/build-id" 2>/dev/null)" = "$BUILD_ID" ]; then
  echo "[control-plane] cached binaries in $DEST/bin"; exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi

# deb-src entry mirroring the existing deb entries (same URIs, suites, keyring).
SRC_LIST=/etc/apt/sources.list.d/plumbline-deb-src.sources
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
  echo "[control-plane] adding deb-src entries ($SRC_LIST)"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$SRC_LIST" >/dev/null
  else
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee /etc/apt/sources.list.d/plumbline-deb-src.list >/dev/null
  fi
  $SUDO apt-get update -qq
fi

WORK="$CACHE/build"
mkdir -p "$WORK"
cd "$WORK"
if ! ls kubernetes_*.orig.tar.gz >/dev/null 2>&1; then
  echo "[control-plane] downloading Debian source package kubernetes (~34 MB)"
  apt-get source --download-only kubernetes >/dev/null
fi
TARBALL=$(ls kubernetes_*.orig.tar.gz | head -1)
SRC_DIR="$WORK/kubernetes-$VERSION"
if [ ! -d "$SRC_DIR" ]; then
  echo "[control-plane] unpacking $TARBALL"
  mkdir -p "$SRC_DIR.tmp"
  tar -xzf "$TARBALL" -C "$SRC_DIR.tmp" --strip-components=1
  mv "$SRC_DIR.tmp" "$SRC_DIR"
fi

cd "$SRC_DIR"
# Kubernetes 1.20 vendors modern-go/reflect2 1.0.1, whose map iteration crashes under Go >= 1.18
# (kube-apiserver panics in mapiterinit when it encodes custom resources). Debian ships the fixed 1.0.2.
R2=/usr/share/gocode/src/github.com/modern-go/reflect2
if [ -d "$R2" ] && ! [ -f vendor/github.com/modern-go/reflect2/go_above_118.go ]; then
  echo "[control-plane] patching vendor/github.com/modern-go/reflect2 to 1.0.2 (Go 1.18+ fix)"
  rm -rf vendor/github.com/modern-go/reflect2
  mkdir -p vendor/github.com/modern-go/reflect2
  cp "$R2"/*.go "$R2"/*.s vendor/github.com/modern-go/reflect2/
  rm -f vendor/github.com/modern-go/reflect2/*_test.go
fi
export PATH="/usr/lib/go-1.19/bin:$PATH"
echo "[control-plane] building ${BINS[*]} with $(go version) (about 10 minutes on 2 cores from an empty Go cache)"
start=$(date +%s)
# Print a heartbeat so a CI log shows progress during the long build.
( while sleep 60; do echo "[control-plane] still building... $(( $(date +%s) - start ))s"; done ) &
HB=$!
trap 'kill $HB 2>/dev/null || true' EXIT
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubemark" \
  KUBE_BUILD_PLATFORMS=linux/amd64 2>&1 | grep -vE '^\s*$' | sed 's/^/[make] /' | tail -n 40
kill $HB 2>/dev/null || true

OUT="$SRC_DIR/_output/bin"
[ -d "$OUT" ] || OUT="$SRC_DIR/_output/local/bin/linux/amd64"
mkdir -p "$DEST/bin.tmp"
for b in "${BINS[@]}"; do cp "$OUT/$b" "$DEST/bin.tmp/$b"; done
rm -rf "$DEST/bin"; mv "$DEST/bin.tmp" "$DEST/bin"
echo "$BUILD_ID" > "$DEST/build-id"
echo "[control-plane] built in $(( $(date +%s) - start ))s -> $DEST/bin"
# The source tree and Go build cache are large; keep only the binaries and the tarball.
rm -rf "$SRC_DIR"
