#!/usr/bin/env bash
# Stops the Parley services that deploy/up.sh started, front to back, so
# that each service drains into a downstream stage that is still serving.
#
# Each service gets SIGTERM and up to PARLEY_STOP_TIMEOUT_SECONDS (default
# 30) to exit before it is sent SIGKILL. The Prometheus that up.sh started
# stops last, so that it records the services' drain. Safe to run when
# nothing is running.
#
# Usage: deploy/down.sh [--compose] [--help]
#   --compose  remove the docker compose stack that deploy/up.sh --compose
#              started instead: its containers, network and volumes
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly repo_root
# shellcheck source=deploy/process-checks.sh
source "$repo_root/deploy/process-checks.sh"
readonly run_dir="$repo_root/.run"

# Upstream services go first. Intake stops taking Sends and drains into
# the processor, which then drains into the broadcaster.
readonly stop_order=(intake processor broadcaster)
readonly prometheus_data_dir="$run_dir/prometheus"
readonly prometheus_pid_file="$run_dir/prometheus.pid"
readonly stop_timeout_seconds=${PARLEY_STOP_TIMEOUT_SECONDS:-30}
readonly kill_timeout_seconds=5
readonly poll_interval_seconds=0.1

log() {
  printf 'down.sh: %s\n' "$*"
}

warn() {
  printf 'down.sh: warning: %s\n' "$*" >&2
}

# Prints the time since the epoch in microseconds. EPOCHREALTIME uses the
# locale's decimal separator, which may be a comma.
now_micros() {
  local now=$EPOCHREALTIME
  printf '%s\n' "${now//[.,]/}"
}

# Succeeds when PID runs NAME: parley-SERVICE or prometheus.
is_running() {
  local name=$1 pid=$2
  if [[ "$name" == prometheus ]]; then
    is_prometheus_running "$pid" "$prometheus_data_dir"
  else
    is_service_running "${name#parley-}" "$pid"
  fi
}

# Polls until PID no longer runs NAME, and fails after TIMEOUT_SECONDS.
wait_for_exit() {
  local name=$1 pid=$2 timeout_seconds=$3
  local deadline=$(($(now_micros) + timeout_seconds * 1000000))
  while is_running "$name" "$pid"; do
    if (($(now_micros) >= deadline)); then
      return 1
    fi
    sleep "$poll_interval_seconds"
  done
}

# Prints the seconds since START_MICROS, a value of now_micros, with one
# decimal.
format_elapsed() {
  local start_micros=$1 elapsed_micros
  elapsed_micros=$(($(now_micros) - start_micros))
  printf '%d.%d' $((elapsed_micros / 1000000)) $((elapsed_micros % 1000000 / 100000))
}

# Stops NAME (parley-SERVICE or prometheus) if PID_FILE points at its live
# process. Returns 1 when there was nothing to stop.
stop_process() {
  local name=$1 pid_file=$2
  local pid start_micros

  [[ -f "$pid_file" ]] || return 1
  pid=$(<"$pid_file")
  if ! is_running "$name" "$pid"; then
    log "$name is not running; removing stale pid file $pid_file"
    rm -f "$pid_file"
    return 1
  fi

  log "sending SIGTERM to $name (pid $pid)"
  start_micros=$(now_micros)
  kill -TERM "$pid" 2>/dev/null || true
  if wait_for_exit "$name" "$pid" "$stop_timeout_seconds"; then
    log "$name (pid $pid) exited after $(format_elapsed "$start_micros") s"
  else
    warn "$name (pid $pid) did not exit within $stop_timeout_seconds s of SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    if wait_for_exit "$name" "$pid" "$kill_timeout_seconds"; then
      log "$name (pid $pid) was killed"
    else
      warn "$name (pid $pid) is still running after SIGKILL; keeping $pid_file"
      return 0
    fi
  fi
  rm -f "$pid_file"
}

stop_service() {
  local service=$1
  stop_process "parley-$service" "$run_dir/$service.pid"
}

usage() {
  cat <<'EOF'
Usage: deploy/down.sh [--compose] [--help]

Stops the services that deploy/up.sh started, intake first, and then the
Prometheus that it started.

Options:
  --compose  stop and remove the docker compose stack of docker-compose.yml
             (containers, network and volumes) instead
  --help     print this help

Environment:
  PARLEY_STOP_TIMEOUT_SECONDS  seconds each service gets after SIGTERM
                               before SIGKILL (default: 30)
EOF
}

# Sets the global deploy_mode from the command line.
parse_args() {
  deploy_mode=local
  while (($# > 0)); do
    case "$1" in
      --compose)
        deploy_mode=compose
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        printf 'down.sh: error: unknown argument: %s\n\n' "$1" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
  done
}

main() {
  parse_args "$@"
  if [[ "$deploy_mode" == compose ]]; then
    exec "$repo_root/deploy/docker/compose-stack.sh" down
  fi

  if ! [[ "$stop_timeout_seconds" =~ ^[1-9][0-9]*$ ]]; then
    printf 'down.sh: error: PARLEY_STOP_TIMEOUT_SECONDS must be a whole number of seconds above 0, got %s\n' \
      "$stop_timeout_seconds" >&2
    exit 2
  fi

  local service stopped_count=0
  for service in "${stop_order[@]}"; do
    if stop_service "$service"; then
      stopped_count=$((stopped_count + 1))
    fi
  done

  if ((stopped_count == 0)); then
    log "no Parley services are running"
  else
    log "stopped $stopped_count service(s); logs are in $run_dir"
  fi

  if stop_process prometheus "$prometheus_pid_file"; then
    log "stopped prometheus; its data stays in $prometheus_data_dir"
  fi
}

main "$@"
