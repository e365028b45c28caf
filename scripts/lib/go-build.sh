# Shared by scripts/build-kube.sh and scripts/build-tools.sh (sourced, not run).
# go_build_cached TAG DEST MODDIR PKG=NAME... [-- LDFLAGS...]
#   Builds each package PKG of the Go module in MODDIR into DEST/bin/NAME with an ordinary `go build`,
#   unless DEST/build-id.TAG already matches the build id (the module's go.mod and go.sum, the Go version,
#   the ldflags and RECIPE). Prints a progress line (packages compiled so far / packages in the build)
#   every HEARTBEAT seconds (default 30) so a CI log shows the build is alive.

set -euo pipefail

PLUMBLINE_CACHE="${PLUMBLINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plumbline}"
# The module's own go directive decides the language version; never fetch another toolchain.
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly"
export CGO_ENABLED=0

go_build_id() { # MODDIR LDFLAGS RECIPE
  { cat "$1/go.mod" "$1/go.sum"; go version; echo "$2"; echo "$3"; } | sha256sum | cut -c1-16
}

go_build_cached() {
  local tag="$1" dest="$2" moddir="$3"; shift 3
  local pairs=() ldflags=""
  while [ $# -gt 0 ]; do
    if [ "$1" = "--" ]; then shift; ldflags="$*"; break; fi
    pairs+=("$1"); shift
  done
  command -v go >/dev/null || { echo "[$tag] Go is not installed (needs Go >= $(sed -n 's/^go //p' "$moddir/go.mod"))" >&2; return 1; }
  local id; id=$(go_build_id "$moddir" "$ldflags" "${RECIPE:-1}")
  local all=1 p
  for p in "${pairs[@]}"; do [ -x "$dest/bin/${p#*=}" ] || all=0; done
  if [ $all = 1 ] && [ "$(cat "$dest/build-id.$tag" 2>/dev/null)" = "$id" ]; then
    echo "[$tag] cached in $dest/bin (build id $id)"; return 0
  fi
  local pkgs=() names=()
  for p in "${pairs[@]}"; do pkgs+=("${p%=*}"); names+=("${p#*=}"); done
  local start; start=$(date +%s)
  local log; log=$(mktemp)
  local hb=${HEARTBEAT:-30} total="?"
  echo "download" > "$log.phase"
  ( while sleep "$hb"; do
      if [ "$(cat "$log.phase")" = download ]; then
        echo "[$tag] still downloading modules: $(du -sm "$(go env GOMODCACHE)/cache/download" 2>/dev/null | cut -f1) MB in the module cache, $(( $(date +%s) - start ))s"
      else
        echo "[$tag] still building: $(grep -c . "$log" 2>/dev/null || true)/$(cat "$log.phase") packages compiled, $(( $(date +%s) - start ))s"
      fi
    done ) &
  local hbpid=$!
  trap 'kill '"$hbpid"' 2>/dev/null || true' EXIT
  echo "[$tag] downloading modules for ${names[*]} from $(go env GOPROXY)"
  if ! (cd "$moddir" && go mod download && go mod verify >/dev/null); then
    kill "$hbpid" 2>/dev/null || true; echo "[$tag] module download failed" >&2; return 1
  fi
  total=$(cd "$moddir" && go list -deps "${pkgs[@]}" | wc -l)
  echo "$total" > "$log.phase"
  echo "[$tag] building ${names[*]} with $(go version | cut -d' ' -f3), $total packages, $(nproc) cores"
  mkdir -p "$dest/bin.tmp"
  local i rc=0
  for i in "${!pkgs[@]}"; do
    # -v lists each package as it is compiled (cached ones are not listed): the heartbeat counts them.
    (cd "$moddir" && go build -v -trimpath -ldflags "-s -w $ldflags" -o "$dest/bin.tmp/${names[$i]}" "${pkgs[$i]}") 2>>"$log" || { rc=$?; break; }
  done
  kill "$hbpid" 2>/dev/null || true
  wait "$hbpid" 2>/dev/null || true
  if [ $rc != 0 ]; then
    grep -v '^[a-zA-Z0-9._/-]*$' "$log" | tail -n 40 >&2
    rm -f "$log" "$log.phase"; rm -rf "$dest/bin.tmp"
    echo "[$tag] build failed" >&2; return $rc
  fi
  rm -f "$log" "$log.phase"
  mkdir -p "$dest/bin"
  for i in "${!names[@]}"; do mv -f "$dest/bin.tmp/${names[$i]}" "$dest/bin/${names[$i]}"; done
  rmdir "$dest/bin.tmp"
  echo "$id" > "$dest/build-id.$tag"
  echo "[$tag] built ${names[*]} in $(( $(date +%s) - start ))s -> $dest/bin ($(du -sh "$dest/bin" | cut -f1))"
}
