#!/usr/bin/env bash
# Boots systemd as PID 1 in a Docker container, installs Parley into it
# with `cmake --install` and runs the pipeline through systemctl. The test
# starts parley.target and chats through it. It stops the target under
# traffic and checks that no acknowledged message was lost. It kills
# processor with SIGKILL and checks that systemd restarts it, and it lets a
# drain outlast TimeoutStopSec= through EXTEND_TIMEOUT_USEC.
#
# Usage: tests/systemd/systemd_in_container.sh BUILD_DIR
#
# Exits 77 (skipped) when Docker is unavailable, or when the image is
# missing and cannot be built here (no debootstrap, not root, not Debian).
# The image comes from Debian's packages through debootstrap and the host's
# apt sources, with the shared libraries that the built binaries link
# against. It is tagged by that package list and kept, so later runs skip
# the build (a few minutes). The container is removed on exit.
#
# Environment:
#   PARLEY_KEEP_CONTAINER=1  leave the container running for a look inside
set -euo pipefail

readonly skip_code=77
readonly image_name=parley-systemd-test
readonly services=(broadcaster processor intake)
readonly binaries=(parley-intake parley-processor parley-broadcaster parley)
# Highest `systemd-analyze security` exposure accepted, in tenths.
readonly max_exposure_tenths=12

log() {
  printf 'systemd_in_container: %s\n' "$*"
}

skip() {
  log "SKIP: $*"
  exit "$skip_code"
}

fail() {
  log "FAIL: $*" >&2
  exit 1
}

build_dir=${1:?usage: systemd_in_container.sh BUILD_DIR}
build_dir=$(cd "$build_dir" && pwd)
container=""
work=""

cleanup() {
  if [[ -n "$container" ]]; then
    if [[ "${PARLEY_KEEP_CONTAINER:-}" == 1 ]]; then
      log "keeping container $container (remove it with: docker rm -f $container)"
    else
      docker rm -f "$container" >/dev/null 2>&1 || true
    fi
  fi
  if [[ -n "$work" ]]; then
    restore_install_manifest "$build_dir" "$work"
    rm -rf "$work"
  fi
}
trap cleanup EXIT

in_container() {
  docker exec "$container" "$@"
}

# Runs the command in $2... every 0.2 s until it succeeds. Returns 1 when
# $1 seconds pass first.
wait_until() {
  local seconds=$1
  shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Prints one property of a unit, such as MainPID, from systemctl show.
unit_property() {
  in_container systemctl show --value -p "$2" "$1"
}

# Succeeds when the journal of unit $1 has a line matching $2. The journal
# is read whole first: grep -q would end the pipe early, and pipefail would
# count journalctl's SIGPIPE as a failure.
journal_has() {
  local journal
  journal=$(in_container journalctl --no-pager -u "$1")
  grep -q -- "$2" <<<"$journal"
}

# Prints the journal of every Parley unit, for failure messages.
dump_journal() {
  in_container journalctl --no-pager -u 'parley*' -n 200 >&2 || true
}

# --- Preconditions -----------------------------------------------------------

command -v docker >/dev/null || skip "the docker command is missing"
timeout 30 docker info >/dev/null 2>&1 || skip "the Docker engine does not answer (docker info failed)"
for binary in "${binaries[@]}"; do
  [[ -x "$build_dir/bin/$binary" ]] || fail "$build_dir/bin/$binary is missing: build first"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/parley-systemd-container.XXXXXX")
# shellcheck source=tests/systemd/install_manifest.sh
source "$(dirname "${BASH_SOURCE[0]}")/install_manifest.sh"
save_install_manifest "$build_dir" "$work"

# --- Image -------------------------------------------------------------------

# Prints the Debian packages that own the shared libraries in $1, a file
# of ldd output, one per line.
runtime_packages() {
  local library owner
  while read -r library; do
    owner=$(dpkg -S "$library" 2>/dev/null || dpkg -S "/usr$library" 2>/dev/null) \
      || { log "no Debian package owns $library" >&2; return 1; }
    printf '%s\n' "${owner%%:*}"
  done < <(awk '/=> \// { print $3 }' "$1" | sort -u) | sort -u
}

# Prints the URL of the host's apt source for the release $1, if any.
host_mirror() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Created-By: Packages' 2>/dev/null \
    | awk -v release="$1" '$2 == release { print $1; exit }'
}

command -v dpkg >/dev/null || skip "this host is not Debian: no dpkg to find the runtime packages"
codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
[[ -n "$codename" ]] || skip "/etc/os-release names no VERSION_CODENAME"
(cd "$build_dir/bin" && ldd "${binaries[@]}") >"$work/ldd.txt"
if grep -q 'not found' "$work/ldd.txt"; then
  fail "a shared library is not found: $(grep 'not found' "$work/ldd.txt" | head -n 1)"
fi
runtime_packages "$work/ldd.txt" >"$work/packages.txt" || fail "cannot map the shared libraries to packages"
mapfile -t packages <"$work/packages.txt"
# Bump the recipe number when the image recipe below changes.
recipe="recipe=1 release=$codename packages=systemd,systemd-sysv,dbus,${packages[*]}"
image="$image_name:$(printf '%s' "$recipe" | sha256sum | cut -c1-12)"

build_image() {
  local rootfs="$work/rootfs" include
  local -a mirror=()
  command -v debootstrap >/dev/null || skip "image $image is missing and debootstrap is not installed"
  ((EUID == 0)) || skip "image $image is missing and building it with debootstrap needs root"
  # Without an apt source of the host's, debootstrap uses its default mirror.
  mapfile -t mirror < <(host_mirror "$codename")
  include=$(IFS=,; printf '%s' "systemd,systemd-sysv,dbus,${packages[*]}")
  log "building image $image with debootstrap $codename (takes a few minutes)"
  if ! debootstrap --variant=minbase --include="$include" "$codename" "$rootfs" "${mirror[@]}" \
    >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    fail "debootstrap failed; its log is above"
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  # systemd in a container: no consoles to serve, and a fresh machine id.
  ln -sf /dev/null "$rootfs/etc/systemd/system/getty.target"
  : >"$rootfs/etc/machine-id"
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV container=docker' -c 'CMD ["/lib/systemd/systemd"]' - "$image" >/dev/null
  rm -rf "$rootfs"
}

if ! docker image inspect "$image" >/dev/null 2>&1; then
  build_image
fi
log "image $image"

# --- Install and boot ---------------------------------------------------------

DESTDIR="$work/stage" cmake --install "$build_dir" --prefix /usr >"$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; fail "cmake --install failed"; }

# Docker's --privileged grants every capability, and runc fails with
# "unable to apply caps: operation not permitted" where the engine itself
# lacks one (CAP_SYS_RESOURCE on the development machine's engine). So
# the container gets CAP_SYS_ADMIN on top of Docker's defaults instead,
# which systemd needs for the mounts and namespaces of the units' sandbox.
container="parley-systemd-test-$$"
docker create --name "$container" \
  --cap-add SYS_ADMIN \
  --cgroupns=host -v /sys/fs/cgroup:/sys/fs/cgroup \
  --tmpfs /run --tmpfs /run/lock \
  --network none \
  --stop-signal SIGRTMIN+3 \
  "$image" >/dev/null
docker cp "$work/stage/." "$container:/"
docker start "$container" >/dev/null

# is-system-running --wait prints "offline" until systemd's bus is up.
state=""
booted() {
  state=$(timeout 30 docker exec "$container" systemctl is-system-running --wait 2>/dev/null || true)
  [[ "$state" == running || "$state" == degraded ]]
}
if ! wait_until 90 booted; then
  docker logs "$container" 2>&1 | tail -n 30 >&2 || true
  fail "systemd did not finish booting in the container (state: ${state:-none})"
fi
if [[ "$state" == degraded ]]; then
  log "systemd booted degraded; failed units:"
  in_container systemctl --failed --no-legend || true
fi
log "systemd $(in_container systemctl --version | head -n 1 | cut -d' ' -f2) is PID 1 ($state)"

checks=0
pass() {
  checks=$((checks + 1))
  log "ok: $*"
}

# --- 1. Start the target ------------------------------------------------------

timeout 60 docker exec "$container" systemctl start parley.target \
  || { dump_journal; fail "systemctl start parley.target failed"; }
for service in "${services[@]}"; do
  [[ "$(unit_property "parley-$service" ActiveState)" == active ]] \
    || { dump_journal; fail "parley-$service is not active after starting parley.target"; }
  status=$(unit_property "parley-$service" StatusText)
  [[ "$status" == "serving gRPC on "* ]] || fail "parley-$service reports status '$status'"
done
started_broadcaster=$(unit_property parley-broadcaster ActiveEnterTimestampMonotonic)
started_processor=$(unit_property parley-processor ActiveEnterTimestampMonotonic)
started_intake=$(unit_property parley-intake ActiveEnterTimestampMonotonic)
((started_broadcaster <= started_processor && started_processor <= started_intake)) \
  || fail "start order is not broadcaster, processor, intake ($started_broadcaster, $started_processor, $started_intake)"
pass "parley.target started broadcaster, processor and intake in that order"

# Without CAP_SYS_RESOURCE, systemd cannot raise a limit above the hard
# limit the container started with, and settles for that limit.
open_files() {
  in_container awk '/^Max open files/ { print $4 }' "/proc/$1/limits"
}
container_limit=$(open_files 1)
expected_limit=$((container_limit < 65536 ? container_limit : 65536))
broadcaster_limit=$(open_files "$(unit_property parley-broadcaster MainPID)")
[[ "$broadcaster_limit" == "$expected_limit" ]] \
  || fail "broadcaster may open $broadcaster_limit files, not $expected_limit (LimitNOFILE=65536, container hard limit $container_limit)"
pass "broadcaster may open $broadcaster_limit files (LimitNOFILE=65536, container hard limit $container_limit)"

first_ping=$(unit_property parley-intake WatchdogTimestampMonotonic)
[[ "$(unit_property parley-intake WatchdogUSec)" == 10s ]] || fail "WatchdogSec= is not 10s"

# --- 2. Chat through the installed binaries ------------------------------------

for text in hello "how are you"; do
  in_container parley send --room lobby --sender alice "$text" >/dev/null \
    || { dump_journal; fail "parley send '$text' failed"; }
done
chat=$(timeout 20 docker exec "$container" parley subscribe --room lobby --from-seq 1 --count 2) \
  || fail "parley subscribe did not print the two messages"
grep -q 'hello' <<<"$chat" && grep -q 'how are you' <<<"$chat" \
  || fail "parley subscribe printed: $chat"
in_container parley health --target 127.0.0.1:50051 >/dev/null || fail "parley health on intake failed"
journal_has parley-intake 'serving gRPC on' \
  || fail "journalctl -u parley-intake lacks the service's own log"
pass "chat through intake and broadcaster, and the service logs are in the journal"

# systemd records the time of each WATCHDOG=1 that it accepts, and intake
# pings every 5 s.
watchdog_advanced() {
  [[ "$(unit_property parley-intake WatchdogTimestampMonotonic)" != "$first_ping" ]]
}
wait_until 15 watchdog_advanced || fail "systemd saw no watchdog ping from intake in 15 s"
pass "systemd receives intake's watchdog pings"

# --- 3. Security scores from the running manager --------------------------------

for service in "${services[@]}"; do
  score=$(in_container systemd-analyze security --no-pager "parley-$service.service" 2>&1 \
    | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  [[ -n "$score" ]] || fail "systemd-analyze security printed no score for parley-$service"
  log "systemd-analyze security parley-$service.service: $score"
  tenths=$(awk -v s="$score" 'BEGIN { printf "%d", s * 10 + 0.5 }')
  ((tenths <= max_exposure_tenths)) || fail "parley-$service exposure $score is above 1.2"
done
pass "systemd-analyze security rates every service at or below 1.2"

# --- 4. Stop the target under traffic --------------------------------------------

# Sends numbered messages until /tmp/traffic.stop exists or 450 are sent,
# and records which ones intake acknowledged. Two senders stay within the
# 1,000 messages of history that broadcaster keeps per room.
docker exec -i "$container" sh -c 'cat > /tmp/send-traffic.sh' <<'EOF'
sender=$1
i=0
while [ ! -e /tmp/traffic.stop ] && [ "$i" -lt 450 ]; do
  i=$((i + 1))
  if parley send --room traffic --sender "$sender" --id "$sender-$i" --timeout-ms 20000 \
      "$sender $i" >/dev/null 2>>"/tmp/traffic.$sender.err"; then
    echo "$sender $i" >>"/tmp/traffic.$sender.acked"
  fi
done
touch "/tmp/traffic.$sender.done"
EOF
# Replaying from sequence 1 makes the subscriber see every message, even
# those sent before its stream opened. --no-resume makes it exit when
# broadcaster stops, instead of waiting to resume.
docker exec -d "$container" sh -c \
  'parley subscribe --room traffic --from-seq 1 --no-resume --json >/tmp/traffic.sub 2>/tmp/traffic.sub.err; echo $? >/tmp/traffic.sub.rc'
for sender in bob carol; do
  docker exec -d "$container" sh /tmp/send-traffic.sh "$sender"
done

acked_count() {
  in_container sh -c 'cat /tmp/traffic.*.acked 2>/dev/null | wc -l'
}
enough_traffic() {
  (($(acked_count) >= 60)) && in_container test -s /tmp/traffic.sub
}
wait_until 60 enough_traffic || { dump_journal; fail "traffic did not get going: $(acked_count) acknowledged"; }

stop_started=$SECONDS
timeout 60 docker exec "$container" systemctl stop parley.target \
  || { dump_journal; fail "systemctl stop parley.target failed"; }
stop_seconds=$((SECONDS - stop_started))
in_container touch /tmp/traffic.stop
senders_done() {
  in_container test -e /tmp/traffic.bob.done -a -e /tmp/traffic.carol.done -a -e /tmp/traffic.sub.rc
}
wait_until 60 senders_done || fail "the senders or the subscriber did not finish after the stop"

for service in "${services[@]}"; do
  [[ "$(unit_property "parley-$service" ActiveState)" == inactive ]] \
    || fail "parley-$service is $(unit_property "parley-$service" ActiveState) after the stop"
  [[ "$(unit_property "parley-$service" Result)" == success ]] \
    || { dump_journal; fail "parley-$service stopped with result $(unit_property "parley-$service" Result)"; }
done
stopped_intake=$(unit_property parley-intake InactiveEnterTimestampMonotonic)
stopped_processor=$(unit_property parley-processor InactiveEnterTimestampMonotonic)
stopped_broadcaster=$(unit_property parley-broadcaster InactiveEnterTimestampMonotonic)
((stopped_intake <= stopped_processor && stopped_processor <= stopped_broadcaster)) \
  || fail "stop order is not intake, processor, broadcaster"
journal_has parley-intake 'drained in' \
  || { dump_journal; fail "intake did not report a finished drain"; }

in_container sh -c 'cat /tmp/traffic.*.acked' | sort >"$work/acked"
in_container cat /tmp/traffic.sub \
  | sed -n 's/.*"text":"\([^"]*\)".*/\1/p' | sort >"$work/received"
lost=$(comm -23 "$work/acked" "$work/received")
[[ -z "$lost" ]] || { dump_journal; fail "acknowledged but never delivered: $(head -n 5 <<<"$lost")"; }
duplicated=$(uniq -d "$work/received")
[[ -z "$duplicated" ]] || fail "delivered twice: $(head -n 5 <<<"$duplicated")"
pass "systemctl stop parley.target took ${stop_seconds}s under traffic, stopped intake, processor," \
  "broadcaster in that order, and all $(wc -l <"$work/acked") acknowledged messages were delivered"

# --- 5. SIGKILL processor: systemd restarts it ------------------------------------

in_container systemctl start parley.target || { dump_journal; fail "restarting parley.target failed"; }
in_container parley send --room recovery --sender dave --id before-kill "before the kill" >/dev/null \
  || fail "parley send before the kill failed"
processor_pid=$(unit_property parley-processor MainPID)
intake_pid=$(unit_property parley-intake MainPID)
restarts=$(unit_property parley-processor NRestarts)

in_container systemctl kill -s KILL parley-processor
processor_restarted() {
  [[ "$(unit_property parley-processor NRestarts)" -gt "$restarts" ]] \
    && [[ "$(unit_property parley-processor ActiveState)" == active ]] \
    && [[ "$(unit_property parley-processor MainPID)" != "$processor_pid" ]]
}
wait_until 30 processor_restarted || { dump_journal; fail "systemd did not restart parley-processor"; }

# Intake reconnects by itself. Retrying with the same id stores the message once.
send_after_kill() {
  in_container parley send --room recovery --sender dave --id after-kill --timeout-ms 2000 \
    "after the kill"
}
wait_until 30 send_after_kill || { dump_journal; fail "no Send went through after the restart"; }
recovered=$(timeout 20 docker exec "$container" \
  parley subscribe --room recovery --from-seq 1 --count 2 --json) \
  || fail "the recovery room did not show both messages"
# The restarted processor recovers the room's sequence from broadcaster.
grep -q '"sequence":1,.*"text":"before the kill"' <<<"$recovered" \
  && grep -q '"sequence":2,.*"text":"after the kill"' <<<"$recovered" \
  || fail "the recovery room shows: $recovered"
[[ "$(unit_property parley-intake MainPID)" == "$intake_pid" ]] \
  || fail "intake restarted too, though only processor was killed"
pass "systemd restarted parley-processor after SIGKILL and the pipeline recovered"

# --- 6. A drain longer than TimeoutStopSec= gets more time from systemd -----------

# A commit delay of 4 s against a stop timeout of 2 s: without
# EXTEND_TIMEOUT_USEC, systemd would kill processor in the middle of its drain.
in_container sed -i 's/^commit_delay: .*/commit_delay: 4s/' /etc/parley/processor.yaml
in_container mkdir -p /etc/systemd/system/parley-processor.service.d
printf '[Service]\nTimeoutStopSec=2s\n' \
  | docker exec -i "$container" sh -c 'cat > /etc/systemd/system/parley-processor.service.d/short-stop.conf'
in_container systemctl daemon-reload
in_container systemctl restart parley-processor
docker exec -d "$container" sh -c \
  'parley send --room slow --sender erin --timeout-ms 30000 "slow commit" >/tmp/slow.out 2>&1; echo $? >/tmp/slow.rc'

# Reads processor's metrics through bash's /dev/tcp, since the image has no HTTP client.
processor_has_item() {
  local metrics
  metrics=$(in_container bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/9102 && printf "GET /metrics HTTP/1.0\r\n\r\n" >&3 && cat <&3')
  grep -Eq '^parley_hop_items_received_total\{hop="submit"\} [1-9]' <<<"$metrics"
}
wait_until 30 processor_has_item || { dump_journal; fail "processor never received the slow message"; }
stop_started=$SECONDS
timeout 60 docker exec "$container" systemctl stop parley-processor \
  || { dump_journal; fail "systemctl stop parley-processor failed"; }
stop_seconds=$((SECONDS - stop_started))
[[ "$(unit_property parley-processor Result)" == success ]] \
  || { dump_journal; fail "processor's drain ended with result $(unit_property parley-processor Result)"; }
slow_acknowledged() {
  [[ "$(in_container cat /tmp/slow.rc 2>/dev/null)" == 0 ]]
}
wait_until 30 slow_acknowledged || fail "the slow message was not acknowledged: $(in_container cat /tmp/slow.out)"
pass "processor drained for ${stop_seconds}s past TimeoutStopSec=2s by EXTEND_TIMEOUT_USEC, and the message was acknowledged"

in_container rm -r /etc/systemd/system/parley-processor.service.d
in_container sed -i 's/^commit_delay: .*/commit_delay: 0s/' /etc/parley/processor.yaml
in_container systemctl daemon-reload

# --- 7. A wedged processor stops pinging and systemd restarts it ----------------

# A commit that takes 20 s against stall_timeout 1s: processor withholds its
# pings, and systemd's watchdog (2 s here) aborts and restarts it.
in_container systemctl start parley.target
in_container sed -i -e 's/^commit_delay: .*/commit_delay: 20s/' \
  -e 's/^stall_timeout: .*/stall_timeout: 1s/' /etc/parley/processor.yaml
in_container mkdir -p /etc/systemd/system/parley-processor.service.d
printf '[Service]\nWatchdogSec=2s\n' \
  | docker exec -i "$container" sh -c 'cat > /etc/systemd/system/parley-processor.service.d/short-watchdog.conf'
in_container systemctl daemon-reload
in_container systemctl restart parley-processor
restarts=$(unit_property parley-processor NRestarts)
# The deadline outlasts intake's reconnect to the restarted processor, so the
# message is still waiting when it arrives there.
docker exec -d "$container" parley send --room wedged --sender frank --timeout-ms 60000 "stuck"
wait_until 30 processor_has_item || { dump_journal; fail "processor never received the stuck message"; }
wedged_at=$SECONDS
watchdog_restarted() {
  [[ "$(unit_property parley-processor NRestarts)" -gt "$restarts" ]]
}
wait_until 30 watchdog_restarted || { dump_journal; fail "systemd did not restart the wedged processor"; }
journal_has parley-processor 'Watchdog timeout' \
  || { dump_journal; fail "processor restarted, but not by its watchdog"; }
pass "a wedged processor stopped pinging and systemd restarted it after $((SECONDS - wedged_at))s"

# Intake resends the message to each new processor, which wedges again, so
# restore the config before stopping.
in_container rm -r /etc/systemd/system/parley-processor.service.d
in_container sed -i -e 's/^commit_delay: .*/commit_delay: 0s/' \
  -e 's/^stall_timeout: .*/stall_timeout: 30s/' /etc/parley/processor.yaml
in_container systemctl daemon-reload
in_container systemctl stop parley.target
in_container systemctl reset-failed
log "$checks passed, 0 failed"
