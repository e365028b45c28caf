#!/usr/bin/env bash
# Installs the Debian packages Plumbline's tests and demo need, when missing.
# Needs root (or passwordless sudo) on a fresh Debian bookworm machine.
set -euo pipefail

PKGS=(etcd-server golang-1.19-go golang-github-modern-go-reflect2-dev rsync make openssh-server age git ca-certificates)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "[deps] installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "[deps] Debian packages present"
fi
