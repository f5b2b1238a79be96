#!/usr/bin/env bash
# Makes sure the Debian base images that deploy/docker/*.Dockerfile build
# FROM exist in the local Docker engine: debian:bookworm and
# debian:bookworm-slim.
#
# An image that already exists is left alone, so a second run returns in
# well under a second. A missing image is built with debootstrap from the
# Debian mirror that this host's apt configuration names, and loaded with
# `docker import`. That needs root and the mirror, but no container
# registry. With PARLEY_SEED_PULL=1 the script first tries `docker pull`
# and falls back to debootstrap when the pull fails.
#
# Usage: deploy/docker/seed-base-images.sh [--force] [--help]
#
# Environment:
#   PARLEY_SEED_PULL    1 to try `docker pull` before debootstrap
#   PARLEY_SEED_MIRROR  Debian mirror URL to use instead of the one read
#                       from /etc/apt/sources.list{,.d/*}
#   TMPDIR              where the temporary root file system is built
#                       (default /var/tmp); needs about 400 MB
set -euo pipefail

readonly debian_suite=bookworm
readonly full_image=debian:bookworm
readonly slim_image=debian:bookworm-slim
readonly keyring=/usr/share/keyrings/debian-archive-keyring.gpg
readonly lock_file=/var/lock/parley-seed-base-images.lock
readonly image_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

rootfs_parent=""

log() {
  printf 'seed-base-images: %s\n' "$*"
}

die() {
  printf 'seed-base-images: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: deploy/docker/seed-base-images.sh [--force] [--help]

Builds the Docker images debian:bookworm and debian:bookworm-slim with
debootstrap from the Debian mirror in this host's apt sources, unless they
already exist. Needs root and a running Docker engine.

Options:
  --force  rebuild both images even if they exist
  --help   print this help

Environment:
  PARLEY_SEED_PULL    1 to try `docker pull` before debootstrap
  PARLEY_SEED_MIRROR  Debian mirror URL (default: read from apt sources)
  TMPDIR              folder for the temporary root file system
                      (default /var/tmp)
EOF
}

image_exists() {
  docker image inspect "$1" >/dev/null 2>&1
}

# Prints the URIs of the enabled apt sources of type deb that carry SUITE,
# one per line, in the order apt reads them: sources.list first, then the
# files in sources.list.d in name order. Reads both the one-line format
# (*.list) and the deb822 format (*.sources).
list_mirrors_for_suite() {
  local suite=$1 file
  local -a list_files=() deb822_files=()
  [[ -f /etc/apt/sources.list ]] && list_files+=(/etc/apt/sources.list)
  for file in /etc/apt/sources.list.d/*.list; do
    [[ -f "$file" ]] && list_files+=("$file")
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$file" ]] && deb822_files+=("$file")
  done

  if ((${#list_files[@]} > 0)); then
    # deb [option=value ...] URI SUITE COMPONENT...
    awk -v suite="$suite" '
      $1 == "deb" {
        field = 2
        if ($field ~ /^\[/) {
          while (field <= NF && $field !~ /\]$/) field++
          field++
        }
        if ($(field + 1) == suite) print $field
      }' "${list_files[@]}"
  fi

  if ((${#deb822_files[@]} > 0)); then
    # Paragraphs of "Key: value" lines separated by blank lines.
    local file
    for file in "${deb822_files[@]}"; do
      awk -v suite="$suite" '
        function flush(   i, n, uris, suites, enabled) {
          enabled = tolower(fields["enabled"]) != "no"
          if (enabled && fields["types"] ~ /(^| )deb( |$)/) {
            n = split(fields["suites"], suites, " ")
            for (i = 1; i <= n; i++) {
              if (suites[i] == suite) {
                split(fields["uris"], uris, " ")
                print uris[1]
                break
              }
            }
          }
          delete fields
        }
        /^[[:space:]]*#/ { next }
        /^[[:space:]]*$/ { flush(); next }
        /^[A-Za-z-]+:/ {
          key = tolower($0)
          sub(/:.*/, "", key)
          value = $0
          sub(/^[^:]*:[[:space:]]*/, "", value)
          fields[key] = value
        }
        END { flush() }' "$file"
    done
  fi
}

first_mirror_for_suite() {
  list_mirrors_for_suite "$1" | sed -n 1p
}

# NOTE: never run where this was written, as no registry was reachable.
try_pull() {
  local image=$1
  log "trying docker pull $image (PARLEY_SEED_PULL=1)"
  if docker pull "$image"; then
    return 0
  fi
  log "docker pull $image failed; building it with debootstrap instead"
  return 1
}

ensure_debootstrap() {
  if command -v debootstrap >/dev/null 2>&1 || [[ -x /usr/sbin/debootstrap ]]; then
    return 0
  fi
  log "installing debootstrap"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
}

# Unmounts anything debootstrap left mounted under the root file system,
# then deletes it. Runs on every exit.
remove_rootfs() {
  [[ -n "$rootfs_parent" && -d "$rootfs_parent" ]] || return 0
  local mount_point
  # Deepest mount points first.
  while read -r mount_point; do
    umount -l "$mount_point" 2>/dev/null || true
  done < <(awk -v prefix="$rootfs_parent/" 'index($2, prefix) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$rootfs_parent"
}

# Writes the apt sources of the image: the mirror that debootstrap used for
# SUITE and SUITE-updates, and the host's security mirror when it has one.
write_image_sources() {
  local rootfs=$1 mirror=$2 suites=$debian_suite updates_mirror security_mirror
  updates_mirror=$(first_mirror_for_suite "$debian_suite-updates")
  if [[ -n "$updates_mirror" ]]; then
    suites+=" $debian_suite-updates"
  fi
  security_mirror=$(first_mirror_for_suite "$debian_suite-security")

  rm -f "$rootfs/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
      "$mirror" "$suites" "$keyring"
    if [[ -n "$security_mirror" ]]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
        "$security_mirror" "$debian_suite" "$keyring"
    fi
  } >"$rootfs/etc/apt/sources.list.d/debian.sources"
}

# Applies the settings that Debian's official container images carry and
# drops what a container does not need.
prepare_rootfs() {
  local rootfs=$1

  # Package maintainer scripts must not start daemons during a build.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"

  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old \
    "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs"/var/log/bootstrap.log
  mkdir -p "$rootfs/var/lib/apt/lists/partial"
  # Docker mounts its own files here in every container.
  : >"$rootfs/etc/resolv.conf"
  : >"$rootfs/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$rootfs/etc/hosts"
}

# Makes the root file system slim the way debian:*-slim is: dpkg no longer
# installs documentation, man pages or translations, and the ones already
# there are deleted. Copyright files stay.
slim_rootfs() {
  local rootfs=$1
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
# Keep container images small: no documentation, man pages or translations.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/info/* "$rootfs"/usr/share/linda/* \
    "$rootfs"/usr/share/lintian/overrides/* "$rootfs"/usr/share/locale/* \
    "$rootfs"/usr/share/man/*
}

import_rootfs() {
  local rootfs=$1 image=$2
  log "importing $image"
  tar --numeric-owner -C "$rootfs" -c . |
    docker import \
      --change "ENV PATH=$image_path" \
      --change 'CMD ["bash"]' \
      --message "debootstrap --variant=minbase $debian_suite, by deploy/docker/seed-base-images.sh" \
      - "$image" >/dev/null
}

build_with_debootstrap() {
  local build_full=$1 build_slim=$2 mirror
  ((EUID == 0)) || die "building base images with debootstrap needs root; run: sudo $0"
  [[ -r "$keyring" ]] || die "$keyring is missing; install the debian-archive-keyring package"

  mirror=${PARLEY_SEED_MIRROR:-$(first_mirror_for_suite "$debian_suite")}
  [[ -n "$mirror" ]] ||
    die "no enabled apt source of type deb for suite $debian_suite in /etc/apt/sources.list or /etc/apt/sources.list.d; set PARLEY_SEED_MIRROR to a Debian mirror URL"

  ensure_debootstrap
  rootfs_parent=$(mktemp -d "${TMPDIR:-/var/tmp}/parley-rootfs.XXXXXX")
  local rootfs="$rootfs_parent/rootfs"

  log "running debootstrap --variant=minbase $debian_suite from the host's apt mirror into $rootfs"
  local started=$SECONDS
  if ! PATH="$PATH:/usr/sbin:/sbin" debootstrap --variant=minbase --components=main \
    --keyring="$keyring" "$debian_suite" "$rootfs" "$mirror" >"$rootfs_parent/debootstrap.log" 2>&1; then
    tail -n 30 "$rootfs_parent/debootstrap.log" >&2
    [[ -f "$rootfs/debootstrap/debootstrap.log" ]] && tail -n 30 "$rootfs/debootstrap/debootstrap.log" >&2
    die "debootstrap failed; see the lines above"
  fi
  log "debootstrap finished in $((SECONDS - started)) s"

  write_image_sources "$rootfs" "$mirror"
  prepare_rootfs "$rootfs"

  if [[ "$build_full" == yes ]]; then
    import_rootfs "$rootfs" "$full_image"
  fi
  if [[ "$build_slim" == yes ]]; then
    slim_rootfs "$rootfs"
    import_rootfs "$rootfs" "$slim_image"
  fi
}

main() {
  local force=no
  while (($# > 0)); do
    case "$1" in
      --force) force=yes ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        printf 'seed-base-images: error: unknown argument: %s\n\n' "$1" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
  done

  command -v docker >/dev/null 2>&1 || die "the docker command is not installed"
  docker info >/dev/null 2>&1 || die "cannot reach the Docker engine (is dockerd running, and may this user use it?)"

  # Two runs at once would both debootstrap; the second waits and then
  # finds the images.
  if ((EUID == 0)); then
    exec {lock_fd}>"$lock_file"
    flock "$lock_fd"
  fi

  local build_full=no build_slim=no
  if [[ "$force" == yes ]] || ! image_exists "$full_image"; then
    build_full=yes
  fi
  if [[ "$force" == yes ]] || ! image_exists "$slim_image"; then
    build_slim=yes
  fi
  if [[ "$build_full" == no && "$build_slim" == no ]]; then
    log "$full_image and $slim_image are present"
    return 0
  fi

  if [[ "${PARLEY_SEED_PULL:-0}" == 1 && "$force" == no ]]; then
    if [[ "$build_full" == yes ]] && try_pull "$full_image"; then
      build_full=no
    fi
    if [[ "$build_slim" == yes ]] && try_pull "$slim_image"; then
      build_slim=no
    fi
    if [[ "$build_full" == no && "$build_slim" == no ]]; then
      return 0
    fi
  fi

  trap remove_rootfs EXIT
  build_with_debootstrap "$build_full" "$build_slim"
  log "ready: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' debian | tr '\n' ' ')"
}

main "$@"
