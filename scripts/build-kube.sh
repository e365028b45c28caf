#!/usr/bin/env bash
# Builds the current local control plane from Go modules, once per machine, into
#   ${PLUMBLINE_CACHE:-$HOME/.cache/plumbline}/kube-<version>/bin
# kube-apiserver, kube-controller-manager, kube-scheduler and kubemark (the hollow node) come from
# k8s.io/kubernetes through tools/kube/go.mod; etcd from go.etcd.io/etcd/server/v3 through tools/etcd/go.mod.
# Everything is fetched from the Go module proxy. A no-op when the cached build ids match.
# Needs Go >= the go directive of tools/kube/go.mod (1.26).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib/go-build.sh"

KMOD="$ROOT/tools/kube"
VERSION=$(sed -nE 's/^\s*k8s.io\/kubernetes v([0-9.]+)( .*)?$/\1/p' "$KMOD/go.mod")
[ -n "$VERSION" ] || { echo "[kube] cannot read the k8s.io/kubernetes version from $KMOD/go.mod" >&2; exit 1; }
DEST="$PLUMBLINE_CACHE/kube-$VERSION"
MINOR=$(echo "$VERSION" | cut -d. -f2)

# What `make` would stamp in (hack/lib/version.sh): clients and Helm's kubeVersion checks read gitVersion.
LD=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LD="$LD -X $pkg.gitVersion=v$VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$MINOR -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

K=k8s.io/kubernetes/cmd
go_build_cached kube "$DEST" "$KMOD" \
  "$K/kube-apiserver=kube-apiserver" "$K/kube-controller-manager=kube-controller-manager" \
  "$K/kube-scheduler=kube-scheduler" "$K/kubemark=kubemark" "$K/kubectl=kubectl" -- "$LD"

ETCD_VERSION=$(sed -nE 's/^\s*go.etcd.io\/etcd\/server\/v3 v([0-9.]+)( .*)?$/\1/p' "$ROOT/tools/etcd/go.mod")
go_build_cached etcd "$DEST" "$ROOT/tools/etcd" "go.etcd.io/etcd/server/v3=etcd" -- \
  "-X go.etcd.io/etcd/api/v3/version.GitSHA=v$ETCD_VERSION"

# kubectl alone in a directory of its own, for PATH (tests and the demo): the other binaries stay off PATH.
mkdir -p "$DEST/kubectl-bin"
ln -sfn ../bin/kubectl "$DEST/kubectl-bin/kubectl"
