#!/usr/bin/env bash
# Builds Parley and starts its three services in the background on this
# machine, then waits until each one reports SERVING on gRPC health.
#
# Safe to run repeatedly. A service whose pid file points at its live
# process is left running and only checked for health. Pid files and logs
# go to .run/ in the repository. ./deploy/down.sh stops the services.
#
# When Debian's prometheus package is installed, it also starts Prometheus
# with deploy/prometheus/prometheus.yml, data in .run/prometheus, and
# waits until it is ready. A Prometheus that is already running reloads
# its config and rules instead.
#
# Usage: deploy/up.sh [--compose] [--help]
#
# With --compose it runs the docker compose stack of docker-compose.yml
# instead, through deploy/docker/compose-stack.sh up; docs/deploy.md
# describes it.
#
# Environment:
#   PARLEY_CONFIG_DIR      folder with intake.yaml, processor.yaml and
#                          broadcaster.yaml (default: deploy/config)
#   PARLEY_EXTRA_PACKAGES  passed on to deploy/install-deps.sh
#   PARLEY_PROMETHEUS_LISTEN  address of Prometheus's web UI and API
#                          (default: 127.0.0.1:9190)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly repo_root
# shellcheck source=deploy/process-checks.sh
source "$repo_root/deploy/process-checks.sh"
readonly build_dir="$repo_root/build"
readonly bin_dir="$build_dir/bin"
readonly run_dir="$repo_root/.run"
readonly cli="$bin_dir/parley"

# Downstream services first, so that each service finds its next stage
# already serving.
readonly start_order=(broadcaster processor intake)
readonly health_timeout_seconds=30
readonly health_poll_interval_seconds=0.2
readonly log_tail_lines=40
# Addresses that build/bin/parley connects to without --intake and
# --broadcaster.
readonly default_intake_address=127.0.0.1:50051
readonly default_broadcaster_address=127.0.0.1:50053

readonly prometheus_config="$repo_root/deploy/prometheus/prometheus.yml"
# Console templates and their libraries, when that folder exists.
readonly prometheus_consoles_dir="$repo_root/deploy/prometheus/consoles"
readonly prometheus_data_dir="$run_dir/prometheus"
readonly prometheus_pid_file="$run_dir/prometheus.pid"
readonly prometheus_log_file="$run_dir/prometheus.log"
# Not 9090, where a system-wide Prometheus may already listen.
readonly prometheus_listen=${PARLEY_PROMETHEUS_LISTEN:-127.0.0.1:9190}
readonly prometheus_ready_timeout_seconds=60

log() {
  printf 'up.sh: %s\n' "$*"
}

die() {
  printf 'up.sh: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: deploy/up.sh [--compose] [--help]

Builds Parley into build/ and starts parley-broadcaster, parley-processor
and parley-intake in the background, with pid files and logs in .run/.

Options:
  --compose  build the images and start the docker compose stack of
             docker-compose.yml instead (see docs/deploy.md)
  --help     print this help

When the prometheus package is installed, it also starts Prometheus with
deploy/prometheus/prometheus.yml and its data in .run/prometheus.

Environment:
  PARLEY_CONFIG_DIR         folder with the three service configs
                            (default: deploy/config)
  PARLEY_EXTRA_PACKAGES     extra Debian packages for deploy/install-deps.sh
  PARLEY_PROMETHEUS_LISTEN  HOST:PORT of Prometheus's web UI and API
                            (default: 127.0.0.1:9190)
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
        printf 'up.sh: error: unknown argument: %s\n\n' "$1" >&2
        usage >&2
        exit 2
        ;;
    esac
    shift
  done
}

# Prints the value of KEY inside the top-level mapping SECTION of a service
# config. Reads the plain block layout of the files in deploy/config, not
# YAML in general (no flow mappings, anchors or multi-line values).
read_config_value() {
  local file=$1 section=$2 key=$3 value
  value=$(awk -v section="$section" -v key="$key" '
    /^[^[:space:]#][^:]*:/ {
      current = $0
      sub(/:.*/, "", current)
      next
    }
    current == section && $0 ~ ("^[[:space:]]+" key ":") {
      value = $0
      sub(/^[^:]*:[[:space:]]*/, "", value)
      sub(/[[:space:]]+#.*$/, "", value)
      sub(/[[:space:]]+$/, "", value)
      gsub(/^["\047]|["\047]$/, "", value)
      print value
      exit
    }' "$file")
  if [[ -z "$value" ]]; then
    die "$file has no value for $section.$key"
  fi
  printf '%s\n' "$value"
}

# Prints the time since the epoch in microseconds. EPOCHREALTIME uses the
# locale's decimal separator, which may be a comma.
now_micros() {
  local now=$EPOCHREALTIME
  printf '%s\n' "${now//[.,]/}"
}

# Prints the --config argument that process PID was started with.
read_running_config() {
  local pid=$1 previous="" argument
  while IFS= read -r -d '' argument; do
    if [[ "$previous" == --config ]]; then
      printf '%s\n' "$argument"
      return 0
    fi
    previous=$argument
  done <"/proc/$pid/cmdline"
}

print_log_tail() {
  local log_file=$1
  if [[ -s "$log_file" ]]; then
    printf '\nLast lines of %s:\n' "$log_file" >&2
    tail -n "$log_tail_lines" "$log_file" >&2
  else
    printf '\n%s is empty.\n' "$log_file" >&2
  fi
}

install_dependencies() {
  log "checking build dependencies"
  "$repo_root/deploy/install-deps.sh" --build-only
}

build() {
  log "configuring and building into $build_dir"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build "$build_dir"

  local binary
  for binary in parley parley-intake parley-processor parley-broadcaster; do
    [[ -x "$bin_dir/$binary" ]] || die "the build did not produce $bin_dir/$binary"
  done
}

# Starts parley-SERVICE detached from this shell and prints its pid. setsid
# gives it its own session, so closing the terminal does not stop it. The
# log of the previous run is kept as LOG_FILE.1.
start_service() {
  local service=$1 config=$2 log_file=$3
  if [[ -f "$log_file" ]]; then
    mv -f "$log_file" "$log_file.1"
  fi
  printf '==== %s up.sh starts parley-%s --config %s ====\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$service" "$config" >"$log_file"
  # A background job of a non-interactive shell is not a process group
  # leader, so setsid and nohup exec in place and $! is the service's pid.
  setsid nohup "$bin_dir/parley-$service" --config "$config" \
    </dev/null >>"$log_file" 2>&1 &
  printf '%s\n' "$!"
}

# Polls gRPC health of ADDRESS until it reports SERVING, failing early if
# the process exits and after health_timeout_seconds at the latest.
wait_until_healthy() {
  local service=$1 pid=$2 address=$3 log_file=$4
  local deadline=$(($(now_micros) + health_timeout_seconds * 1000000)) output=""

  while true; do
    if ! is_service_running "$service" "$pid"; then
      printf 'up.sh: error: parley-%s (pid %s) exited before it became healthy\n' \
        "$service" "$pid" >&2
      rm -f "$run_dir/$service.pid"
      print_log_tail "$log_file"
      exit 1
    fi
    if output=$("$cli" health --target "$address" --timeout-ms 1000 2>&1); then
      return 0
    fi
    if (($(now_micros) >= deadline)); then
      break
    fi
    sleep "$health_poll_interval_seconds"
  done

  printf 'up.sh: error: parley-%s (pid %s) did not become healthy at %s within %d s\n' \
    "$service" "$pid" "$address" "$health_timeout_seconds" >&2
  printf 'Last health check output: %s\n' "${output:-<none>}" >&2
  printf 'The process is still running; ./deploy/down.sh stops it.\n' >&2
  print_log_tail "$log_file"
  exit 1
}

# Starts SERVICE unless its pid file points at its live process, then waits
# until it is healthy.
ensure_service() {
  local service=$1
  local config="$config_dir/$service.yaml"
  local pid_file="$run_dir/$service.pid"
  local log_file="$run_dir/$service.log"
  local address running_config pid=""

  [[ -r "$config" ]] || die "config file not found: $config"
  address=$(read_config_value "$config" server listen)

  if [[ -f "$pid_file" ]]; then
    pid=$(<"$pid_file")
    if is_service_running "$service" "$pid"; then
      running_config=$(read_running_config "$pid")
      if [[ "$running_config" != "$config" ]]; then
        die "parley-$service (pid $pid) is running with config '$running_config', not $config; run ./deploy/down.sh first"
      fi
      log "parley-$service is already running (pid $pid); to restart it, run ./deploy/down.sh first"
    else
      log "removing stale pid file $pid_file (pid '$pid' is not parley-$service)"
      rm -f "$pid_file"
      pid=""
    fi
  fi

  if [[ -z "$pid" ]]; then
    pid=$(start_service "$service" "$config" "$log_file")
    printf '%s\n' "$pid" >"$pid_file"
    log "started parley-$service (pid $pid), log $log_file"
  fi

  wait_until_healthy "$service" "$pid" "$address" "$log_file"
  log "parley-$service is healthy at $address"
}

# Prints the --web.listen-address that process PID was started with.
read_running_listen_address() {
  local pid=$1 argument
  while IFS= read -r -d '' argument; do
    if [[ "$argument" == --web.listen-address=* ]]; then
      printf '%s\n' "${argument#*=}"
      return 0
    fi
  done <"/proc/$pid/cmdline"
}

# Succeeds when something accepts TCP connections at ADDRESS (HOST:PORT).
# Uses bash's /dev/tcp, so it needs no network tool.
is_listening() {
  local address=$1
  (exec 3<>"/dev/tcp/${address%:*}/${address##*:}") 2>/dev/null
}

# Succeeds when GET PATH at ADDRESS (HOST:PORT) returns HTTP status 200.
http_get_ok() {
  local address=$1 path=$2
  (
    exec 3<>"/dev/tcp/${address%:*}/${address##*:}" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$address" >&3
    IFS= read -r -t 2 status_line <&3 || exit 1
    [[ "$status_line" == "HTTP/1."?" 200 "* ]]
  ) 2>/dev/null
}

# Starts Prometheus detached from this shell and prints its pid, like
# start_service.
start_prometheus() {
  local -a arguments=(
    "--config.file=$prometheus_config"
    "--storage.tsdb.path=$prometheus_data_dir"
    "--web.listen-address=$prometheus_listen"
  )
  if [[ -d "$prometheus_consoles_dir" ]]; then
    arguments+=(
      "--web.console.templates=$prometheus_consoles_dir"
      "--web.console.libraries=$prometheus_consoles_dir"
    )
  fi
  if [[ -f "$prometheus_log_file" ]]; then
    mv -f "$prometheus_log_file" "$prometheus_log_file.1"
  fi
  printf '==== %s up.sh starts prometheus %s ====\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${arguments[*]}" >"$prometheus_log_file"
  setsid nohup prometheus "${arguments[@]}" </dev/null >>"$prometheus_log_file" 2>&1 &
  printf '%s\n' "$!"
}

# Succeeds when PID is a live, non-zombie process. Right after
# start_prometheus the pid may still run setsid or nohup, which exec
# Prometheus, so this checks no command line.
is_alive() {
  local pid=$1 state
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ "$state" != Z* ]]
}

# Polls /-/ready until Prometheus returns 200, failing early if the process
# exits and after prometheus_ready_timeout_seconds at the latest.
wait_until_prometheus_ready() {
  local pid=$1
  local deadline=$(($(now_micros) + prometheus_ready_timeout_seconds * 1000000))

  while true; do
    if ! is_alive "$pid"; then
      printf 'up.sh: error: prometheus (pid %s) exited before it became ready\n' "$pid" >&2
      rm -f "$prometheus_pid_file"
      print_log_tail "$prometheus_log_file"
      exit 1
    fi
    if http_get_ok "$prometheus_listen" /-/ready; then
      return 0
    fi
    if (($(now_micros) >= deadline)); then
      break
    fi
    sleep "$health_poll_interval_seconds"
  done

  printf 'up.sh: error: prometheus (pid %s) was not ready at http://%s/-/ready within %d s\n' \
    "$pid" "$prometheus_listen" "$prometheus_ready_timeout_seconds" >&2
  printf 'The process is still running; ./deploy/down.sh stops it.\n' >&2
  print_log_tail "$prometheus_log_file"
  exit 1
}

# Warns about each service whose metrics address is not a target in
# prometheus_config, as happens when PARLEY_CONFIG_DIR moves it.
warn_unscraped_metrics() {
  local service metrics
  for service in "${start_order[@]}"; do
    metrics=$(read_config_value "$config_dir/$service.yaml" server metrics_listen)
    if ! grep -qF "\"$metrics\"" "$prometheus_config"; then
      log "warning: Prometheus will not scrape parley-$service, because its metrics address $metrics is not a target in $prometheus_config"
    fi
  done
}

# Starts Prometheus unless this checkout's Prometheus already runs, which
# then reloads its config and rules (SIGHUP). Sets prometheus_url, which
# stays empty when the prometheus package is not installed.
ensure_prometheus() {
  prometheus_url=""
  if ! command -v prometheus >/dev/null; then
    log "prometheus is not installed, so Prometheus is not started (apt-get install prometheus adds it)"
    return 0
  fi
  if ! [[ "$prometheus_listen" =~ ^[^:[:space:]]+:[0-9]+$ ]]; then
    die "invalid PARLEY_PROMETHEUS_LISTEN '$prometheus_listen': expected HOST:PORT, for example 127.0.0.1:9190"
  fi

  # On SIGHUP, Prometheus keeps its old config when the new files are
  # invalid and only logs the error, so check them first.
  local output
  if ! output=$(promtool check config "$prometheus_config" 2>&1); then
    printf '%s\n' "$output" >&2
    die "promtool check config found errors in $prometheus_config"
  fi

  warn_unscraped_metrics

  local pid="" running_listen
  if [[ -f "$prometheus_pid_file" ]]; then
    pid=$(<"$prometheus_pid_file")
    if is_prometheus_running "$pid" "$prometheus_data_dir"; then
      running_listen=$(read_running_listen_address "$pid")
      if [[ "$running_listen" != "$prometheus_listen" ]]; then
        die "prometheus (pid $pid) is running at $running_listen, not $prometheus_listen; run ./deploy/down.sh first"
      fi
      log "prometheus is already running (pid $pid); reloading its config and rules"
      kill -HUP "$pid"
    else
      log "removing stale pid file $prometheus_pid_file (pid '$pid' is not this checkout's prometheus)"
      rm -f "$prometheus_pid_file"
      pid=""
    fi
  fi

  if [[ -z "$pid" ]]; then
    if is_listening "$prometheus_listen"; then
      die "another process listens on $prometheus_listen; set PARLEY_PROMETHEUS_LISTEN to a free HOST:PORT"
    fi
    mkdir -p "$prometheus_data_dir"
    pid=$(start_prometheus)
    printf '%s\n' "$pid" >"$prometheus_pid_file"
    log "started prometheus (pid $pid), log $prometheus_log_file"
  fi

  wait_until_prometheus_ready "$pid"
  prometheus_url="http://$prometheus_listen/"
  log "prometheus is ready at $prometheus_url"
}

print_endpoints() {
  local service
  local -A listen=() metrics=()
  for service in "${start_order[@]}"; do
    listen[$service]=$(read_config_value "$config_dir/$service.yaml" server listen)
    metrics[$service]=$(read_config_value "$config_dir/$service.yaml" server metrics_listen)
  done

  # The CLI defaults to the addresses in deploy/config, so the chat command
  # names the servers only when a config moved them.
  local chat_command="build/bin/parley"
  if [[ "${listen[intake]}" != "$default_intake_address" ]]; then
    chat_command+=" --intake ${listen[intake]}"
  fi
  if [[ "${listen[broadcaster]}" != "$default_broadcaster_address" ]]; then
    chat_command+=" --broadcaster ${listen[broadcaster]}"
  fi
  chat_command+=" chat --room lobby --sender alice"

  local prometheus_line=""
  if [[ -n "$prometheus_url" ]]; then
    prometheus_line=$'\n'"  prometheus   ${prometheus_url}  (alerts: ${prometheus_url}alerts)"
  fi

  cat <<EOF

Parley is running.
  intake       ${listen[intake]}  (gRPC, public: Send)
  broadcaster  ${listen[broadcaster]}  (gRPC, public: Subscribe)
  processor    ${listen[processor]}  (gRPC, internal)
  metrics      http://${metrics[intake]}/metrics  (intake)
               http://${metrics[processor]}/metrics  (processor)
               http://${metrics[broadcaster]}/metrics  (broadcaster)${prometheus_line}
  logs         $run_dir/<service>.log

Chat:  $chat_command
Stop:  ./deploy/down.sh
EOF
}

up_local() {
  install_dependencies
  build
  mkdir -p "$run_dir"

  local service
  for service in "${start_order[@]}"; do
    ensure_service "$service"
  done
  ensure_prometheus
  print_endpoints
}

up_compose() {
  exec "$repo_root/deploy/docker/compose-stack.sh" up
}

main() {
  parse_args "$@"

  # Resolve the config folder before anything changes directory, so a
  # relative PARLEY_CONFIG_DIR is taken from the caller's working directory.
  config_dir=$(cd "${PARLEY_CONFIG_DIR:-$repo_root/deploy/config}" 2>/dev/null && pwd) ||
    die "config folder not found: ${PARLEY_CONFIG_DIR:-$repo_root/deploy/config}"
  readonly config_dir
  cd "$repo_root"

  case "$deploy_mode" in
    local) up_local ;;
    compose) up_compose ;;
  esac
}

main "$@"
