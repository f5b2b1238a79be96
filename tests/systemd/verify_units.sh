#!/usr/bin/env bash
# Checks the installed systemd units with systemd-analyze: `verify` must
# print nothing, and `security --offline` must rate every service at or
# below the exposure that docs/systemd.md records.
#
# Usage: tests/systemd/verify_units.sh BUILD_DIR
#
# The units are checked as `cmake --install` writes them, for the prefixes
# /usr and /usr/local, in a staged root (DESTDIR): `verify --root` then
# finds the ExecStart= binaries there. The staged root also gets a copy of
# this machine's own systemd units, for the targets every service depends
# on by default (sysinit.target, basic.target, ...).
set -euo pipefail

# Highest exposure accepted, in tenths (12 = 1.2).
readonly max_exposure_tenths=12
readonly services=(parley-intake parley-processor parley-broadcaster)

fail() {
  printf 'verify_units: FAIL: %s\n' "$*" >&2
  exit 1
}

build_dir=${1:?usage: verify_units.sh BUILD_DIR}
build_dir=$(cd "$build_dir" && pwd)

if ! command -v systemd-analyze >/dev/null; then
  fail "systemd-analyze is missing: install the Debian package systemd (deploy/install-deps.sh does)"
fi

host_unit_dir=""
for dir in /usr/lib/systemd/system /lib/systemd/system; do
  if [[ -f "$dir/sysinit.target" ]]; then
    host_unit_dir=$dir
    break
  fi
done
[[ -n "$host_unit_dir" ]] || fail "no sysinit.target on this machine: is the systemd package installed?"

work=$(mktemp -d "${TMPDIR:-/tmp}/parley-verify-units.XXXXXX")
# shellcheck source=tests/systemd/install_manifest.sh
source "$(dirname "${BASH_SOURCE[0]}")/install_manifest.sh"
save_install_manifest "$build_dir" "$work"
trap 'restore_install_manifest "$build_dir" "$work"; rm -rf "$work"' EXIT

# Installs the build with prefix $1 into a new staged root, copies this
# machine's units into it and prints the root's path.
stage_install() {
  local prefix=$1 root
  root="$work/root${prefix//\//-}"
  DESTDIR="$root" cmake --install "$build_dir" --prefix "$prefix" >"$root.install.log" 2>&1 \
    || { cat "$root.install.log" >&2; fail "cmake --install --prefix $prefix failed"; }
  mkdir -p "$root/usr/lib/systemd/system"
  cp -a --no-clobber "$host_unit_dir/." "$root/usr/lib/systemd/system/"
  printf '%s\n' "$root"
}

# Runs systemd-analyze verify on the given units; any output is a failure,
# since verify reports unknown keys and bad values as warnings only.
verify_clean() {
  local root=$1 output status=0
  shift
  output=$(cd "$root" && systemd-analyze verify --root="$root" --man=no "$@" 2>&1) || status=$?
  if [[ $status -ne 0 || -n "$output" ]]; then
    printf '%s\n' "$output" >&2
    return 1
  fi
}

checked=0
for prefix in /usr /usr/local; do
  root=$(stage_install "$prefix")
  unit_dir="$root$prefix/lib/systemd/system"
  units=()
  for service in "${services[@]}"; do
    units+=("$unit_dir/$service.service")
  done
  units+=("$unit_dir/parley.target")
  for unit in "${units[@]}"; do
    [[ -f "$unit" ]] || fail "cmake --install --prefix $prefix did not install $unit"
  done

  verify_clean "$root" "${units[@]}" || fail "systemd-analyze verify is not clean for prefix $prefix"
  printf 'verify_units: prefix %s: systemd-analyze verify is clean for %d units\n' \
    "$prefix" "${#units[@]}"

  # The check must notice a missing binary, or it proves nothing.
  mv "$root$prefix/bin/parley-intake" "$root/parley-intake.moved"
  if verify_clean "$root" "$unit_dir/parley-intake.service" 2>/dev/null; then
    fail "systemd-analyze verify did not notice that $prefix/bin/parley-intake is missing"
  fi
  mv "$root/parley-intake.moved" "$root$prefix/bin/parley-intake"

  for service in "${services[@]}"; do
    report=$(cd "$root" && systemd-analyze security --offline=true --root="$root" --no-pager \
      "$unit_dir/$service.service" 2>&1) || true
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$report")
    [[ -n "$score" ]] || { printf '%s\n' "$report" >&2; fail "no exposure level for $service"; }
    printf 'verify_units: prefix %s: %s exposure %s (limit %d.%d)\n' "$prefix" "$service" \
      "$score" $((max_exposure_tenths / 10)) $((max_exposure_tenths % 10))
    tenths=$(awk -v s="$score" 'BEGIN { printf "%d", s * 10 + 0.5 }')
    if ((tenths > max_exposure_tenths)); then
      printf '%s\n' "$report" | grep -v '✓' >&2 || true
      fail "$service exposure $score is above the recorded limit"
    fi
  done
  # The example drop-ins must verify cleanly on top of the units.
  examples_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../systemd/examples" && pwd)"
  for example in "$examples_dir"/*.conf; do
    dropin_dir="$root/etc/systemd/system/parley-intake.service.d"
    mkdir -p "$dropin_dir"
    cp "$example" "$dropin_dir/"
    verify_clean "$root" "$unit_dir/parley-intake.service" \
      || fail "systemd-analyze verify is not clean with the drop-in $(basename "$example")"
    rm -r "$dropin_dir"
  done
  printf 'verify_units: prefix %s: the example drop-ins verify cleanly\n' "$prefix"
  checked=$((checked + 1))
done

printf 'verify_units: %d prefixes checked\n' "$checked"
