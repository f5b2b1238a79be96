#!/usr/bin/env bash
# Checks what `cmake --install` puts on disk for systemd. The units carry
# the install prefix's paths. The example configs land in the config
# folder without replacing a config that an operator edited. The configs
# stay out of install_manifest.txt, so removing the files that the manifest
# lists keeps them.
#
# Usage: tests/systemd/install_layout.sh BUILD_DIR
set -euo pipefail

readonly services=(intake processor broadcaster)

fail() {
  printf 'install_layout: FAIL: %s\n' "$*" >&2
  exit 1
}

build_dir=${1:?usage: install_layout.sh BUILD_DIR}
build_dir=$(cd "$build_dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-install-layout.XXXXXX")
# shellcheck source=tests/systemd/install_manifest.sh
source "$(dirname "${BASH_SOURCE[0]}")/install_manifest.sh"
save_install_manifest "$build_dir" "$work"
trap 'restore_install_manifest "$build_dir" "$work"; rm -rf "$work"' EXIT

install_into() {
  local root=$1 prefix=$2
  DESTDIR="$root" cmake --install "$build_dir" --prefix "$prefix" >"$work/install.log" 2>&1 \
    || { cat "$work/install.log" >&2; fail "cmake --install --prefix $prefix failed"; }
}

mode_of() {
  stat -c %a "$1"
}

# Checks one prefix: $1 prefix, $2 the config folder the units must name,
# $3 "yes" when the units must carry ConfigurationDirectory=parley.
check_prefix() {
  local prefix=$1 config_dir=$2 want_configuration_directory=$3
  local root="$work/root${prefix//\//-}" unit_dir service unit
  install_into "$root" "$prefix"
  unit_dir="$root$prefix/lib/systemd/system"
  [[ -f "$unit_dir/parley.target" ]] || fail "no parley.target in $prefix/lib/systemd/system"
  for service in "${services[@]}"; do
    unit="$unit_dir/parley-$service.service"
    [[ -f "$unit" ]] || fail "no $unit"
    [[ "$(mode_of "$unit")" == 644 ]] || fail "$unit has mode $(mode_of "$unit"), not 644"
    grep -qxF "ExecStart=$prefix/bin/parley-$service --config $config_dir/$service.yaml" "$unit" \
      || fail "$unit: ExecStart= does not name $prefix/bin and $config_dir: $(grep ExecStart= "$unit")"
    [[ -x "$root$prefix/bin/parley-$service" ]] || fail "no $prefix/bin/parley-$service"
    [[ -f "$root$config_dir/$service.yaml" ]] || fail "no $config_dir/$service.yaml"
    if grep -q '@[A-Z_]*@' "$unit"; then
      fail "$unit still has a placeholder: $(grep '@[A-Z_]*@' "$unit")"
    fi
    if [[ "$want_configuration_directory" == yes ]]; then
      grep -qxF "ConfigurationDirectory=parley" "$unit" || fail "$unit lacks ConfigurationDirectory=parley"
    elif grep -q '^ConfigurationDirectory=' "$unit"; then
      fail "$unit names ConfigurationDirectory= though its configs are in $config_dir"
    fi
  done
  # The manifest lists the units and binaries but none of the configs.
  grep -qxF "$prefix/lib/systemd/system/parley.target" "$build_dir/install_manifest.txt" \
    || fail "install_manifest.txt lacks the units"
  if grep -q '\.yaml' "$build_dir/install_manifest.txt"; then
    fail "install_manifest.txt lists configs: $(grep '\.yaml' "$build_dir/install_manifest.txt")"
  fi
  printf 'install_layout: prefix %s: units name %s/bin and %s\n' "$prefix" "$prefix" "$config_dir"
}

check_prefix /usr /etc/parley yes
check_prefix /usr/local /usr/local/etc/parley no
check_prefix /opt/parley /etc/opt/parley/parley no

# A second install keeps an edited config and puts the shipped one next to it.
root="$work/root-usr"
edited="$root/etc/parley/intake.yaml"
printf '# edited by the operator\n' >>"$edited"
cp "$edited" "$work/edited.yaml"
install_into "$root" /usr
cmp -s "$edited" "$work/edited.yaml" || fail "a second install replaced the edited intake.yaml"
cmp -s "$root/etc/parley/intake.yaml.new" "$(dirname "$0")/../../deploy/config/intake.yaml" \
  || fail "a second install did not leave the shipped config as intake.yaml.new"
for service in processor broadcaster; do
  [[ ! -e "$root/etc/parley/$service.yaml.new" ]] \
    || fail "a second install wrote $service.yaml.new though $service.yaml was unchanged"
done
printf 'install_layout: a second install kept the edited intake.yaml and wrote intake.yaml.new\n'
