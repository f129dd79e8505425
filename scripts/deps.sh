#!/usr/bin/env bash
# Installs, with apt-get, whatever of the build and test dependencies this Debian 12 machine lacks.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run again (it installs nothing when all is there).
set -euo pipefail

VTJ_PACKAGES=(
  cmake g++ clang libclang-rt-14-dev make pkg-config ca-certificates curl openssl libssl3 libssl-dev locales
  libxerces-c-dev libcurl4-openssl-dev libnghttp2-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  apache2 apache2-dev nginx nginx-dev redis-server
)

# A Latin-1 locale, for the tests that prove character handling does not follow the process locale.
vtj_latin1_locale() {
  if ! locale -a 2>/dev/null | grep -qi '^fi_FI\.iso88591$'; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "warning: no fi_FI.ISO-8859-1 locale and not root: the Latin-1 locale test will fail" >&2
      return 0
    fi
    localedef -i fi_FI -f ISO-8859-1 fi_FI.ISO-8859-1
  fi
}

vtj_install_deps() {
  local missing=()
  local p
  for p in "${VTJ_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A freshly booted machine may still run its own apt jobs: wait for the lock rather than fail.
  local lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${lock[@]}" update -q || { sleep 10; apt-get "${lock[@]}" update -q; }
  # libssl3, libssl-dev and openssl are upgraded together: Debian's nginx and mod_ssl are built against a
  # newer OpenSSL 3.0 patch release than a fresh image may carry.
  apt-get "${lock[@]}" install -y -q --no-install-recommends "${missing[@]}" libssl3 libssl-dev openssl
}
