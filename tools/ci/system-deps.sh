#!/usr/bin/env bash
# Installs the Debian packages the tests use as independent judges or reference tools, when missing.
# apt-get needs root; CI and the project's machines run as root.
set -euo pipefail
need=()
command -v skopeo >/dev/null || need+=(skopeo)
command -v zstd >/dev/null || need+=(zstd)
command -v gzip >/dev/null || need+=(gzip)
command -v bzip2 >/dev/null || need+=(bzip2)
command -v xz >/dev/null || need+=(xz-utils)
command -v umoci >/dev/null || need+=(umoci)
[ -x /usr/bin/time ] || need+=(time) # GNU time, for the copy benchmark's peak RSS
command -v docker-registry >/dev/null || need+=(docker-registry) # distribution 2.8, the real registry server
command -v htpasswd >/dev/null || need+=(apache2-utils) # bcrypt htpasswd files for its basic auth
command -v openssl >/dev/null || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "installing ${need[*]} needs root (or sudo)" >&2; exit 1; }
  SUDO=sudo
fi
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
