#!/usr/bin/env bash
# Installs the Debian packages that building and testing Parley need.
#
# Safe to run repeatedly. When every package is already installed, the
# script returns without calling apt-get. Installing needs root.
#
# Environment:
#   PARLEY_EXTRA_PACKAGES  space-separated Debian package names to install
#                          in addition to the base list
set -euo pipefail

# What compiling Parley needs: compilers, build tools and the -dev
# packages of its libraries.
readonly build_packages=(
  g++
  make
  cmake
  ninja-build
  pkg-config
  git
  libgrpc++-dev
  libgrpc-dev
  protobuf-compiler
  protobuf-compiler-grpc
  libprotobuf-dev
  prometheus-cpp-dev
  libyaml-cpp-dev
  libsystemd-dev
  libgtest-dev
  libgmock-dev
  libspdlog-dev
  libfmt-dev
  libcli11-dev
  libabsl-dev
  libutf8proc-dev
  libedit-dev
)

# What the tests and deploy/up.sh run besides Parley: process and network
# tools, systemd for the unit checks, debootstrap for the offline base
# images, Prometheus with promtool, Chromium for the console screenshots
# and tmux for driving the terminal client.
readonly tool_packages=(
  python3
  procps
  iproute2
  systemd
  debootstrap
  prometheus
  chromium
  tmux
)

log() {
  printf 'install-deps: %s\n' "$*"
}

# Prints the packages from the arguments that dpkg does not report as
# fully installed, one per line.
list_missing_packages() {
  local package status
  for package in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
      printf '%s\n' "$package"
    fi
  done
}

usage() {
  cat <<'USAGE'
Usage: deploy/install-deps.sh [--build-only] [--help]

Installs the Debian packages that building and testing Parley need.
  --build-only  only what compiling needs (the image build stage uses it)
USAGE
}

main() {
  local build_only=false
  case "${1:-}" in
    "") ;;
    --build-only) build_only=true ;;
    -h | --help)
      usage
      return 0
      ;;
    *)
      usage >&2
      return 2
      ;;
  esac

  local -a extra_packages=() packages=() missing=()
  read -r -a extra_packages <<<"${PARLEY_EXTRA_PACKAGES:-}"
  packages=("${build_packages[@]}" "${extra_packages[@]}")
  if [[ "$build_only" == false ]]; then
    packages+=("${tool_packages[@]}")
  fi

  mapfile -t missing < <(list_missing_packages "${packages[@]}")
  if ((${#missing[@]} == 0)); then
    log "all ${#packages[@]} packages are already installed"
    return 0
  fi

  if ((EUID != 0)); then
    log "error: missing packages: ${missing[*]}" >&2
    log "run this script as root to install them: sudo $0" >&2
    return 1
  fi

  log "installing ${#missing[@]} missing packages: ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"

  mapfile -t missing < <(list_missing_packages "${packages[@]}")
  if ((${#missing[@]} != 0)); then
    log "error: still not installed after apt-get: ${missing[*]}" >&2
    return 1
  fi
  log "all ${#packages[@]} packages are installed"
}

main "$@"
