#!/usr/bin/env bash
# Starts, inspects or removes the docker compose stack of
# docker-compose.yml. deploy/up.sh --compose and deploy/down.sh --compose
# call this script, and so does tests/e2e/run.sh.
#
# Usage: deploy/docker/compose-stack.sh up|down|ps|cli
#   up    seeds the Debian base images when they are missing, builds the
#         images, starts the stack and waits until every container is
#         healthy, then prints the endpoints
#   down  stops the stack front to back and removes its containers, network
#         and volumes
#   ps    lists the stack's containers
#   cli   prints the compose command in use: "docker compose" (Compose v2)
#         or "docker-compose" (v1)
#
# Environment:
#   PARLEY_COMPOSE_PROJECT       compose project name (default: parley)
#   PARLEY_COMPOSE_WAIT_SECONDS  how long `up` waits for health (default: 300)
#   PARLEY_INTAKE_PORT, PARLEY_BROADCASTER_PORT, PARLEY_PROMETHEUS_PORT
#                                host ports on 127.0.0.1 (default: 50051,
#                                50053, 9090); read by docker-compose.yml
#   PARLEY_BUILD_NETWORK, PARLEY_BUILD_JOBS, PARLEY_IMAGE_TAG
#                                image build settings; see docker-compose.yml
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly repo_root
readonly compose_file="$repo_root/docker-compose.yml"
readonly override_file="$repo_root/docker-compose.override.yml"
readonly project=${PARLEY_COMPOSE_PROJECT:-parley}
readonly wait_seconds=${PARLEY_COMPOSE_WAIT_SECONDS:-300}
readonly poll_interval_seconds=1
# Above server.drain_timeout + server.shutdown_grace (12 s) of the configs
# in deploy/compose, like stop_grace_period in docker-compose.yml.
readonly stop_timeout_seconds=20
readonly log_tail_lines=40

compose_cli=()

log() {
  printf 'compose-stack: %s\n' "$*"
}

die() {
  printf 'compose-stack: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# Sets compose_cli to Compose v2 when the docker CLI has the plugin, else
# to the standalone docker-compose.
find_compose() {
  if docker compose version >/dev/null 2>&1; then
    compose_cli=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose_cli=(docker-compose)
  else
    die "neither 'docker compose' nor 'docker-compose' is installed; on Debian: apt-get install docker-compose"
  fi
}

# Runs compose on docker-compose.yml and, like compose does without -f,
# on docker-compose.override.yml next to it when that file exists.
compose() {
  local -a files=(-f "$compose_file")
  if [[ -f "$override_file" ]]; then
    files+=(-f "$override_file")
  fi
  "${compose_cli[@]}" -p "$project" "${files[@]}" "$@"
}

check_engine() {
  command -v docker >/dev/null 2>&1 || die "the docker command is not installed"
  docker info >/dev/null 2>&1 ||
    die "cannot reach the Docker engine (is dockerd running, and may this user use it?)"
}

# Prints one line per container of the project: name, state and health
# ("none" for a container without a health check).
container_states() {
  local ids
  ids=$(compose ps -a -q)
  [[ -n "$ids" ]] || return 0
  # shellcheck disable=SC2086 # one id per word
  docker inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' $ids |
    sed 's|^/||'
}

print_logs_tail() {
  printf '\nLast %d log lines of each service:\n' "$log_tail_lines" >&2
  compose logs --no-color --tail "$log_tail_lines" >&2 || true
}

# Polls until every container runs and reports healthy, failing early when
# one has exited and after wait_seconds at the latest.
wait_until_healthy() {
  local deadline=$((SECONDS + wait_seconds)) states pending
  while true; do
    states=$(container_states)
    [[ -n "$states" ]] || die "the stack has no containers"
    if grep -Eq ' (exited|dead)( |$)' <<<"$states"; then
      printf '%s\n' "$states" >&2
      print_logs_tail
      die "a container exited before the stack became healthy"
    fi
    pending=$(grep -Ev ' running (healthy|none)$' <<<"$states" || true)
    if [[ -z "$pending" ]]; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      printf '%s\n' "$states" >&2
      print_logs_tail
      die "the stack did not become healthy within $wait_seconds s"
    fi
    sleep "$poll_interval_seconds"
  done
}

print_endpoints() {
  local intake_port=${PARLEY_INTAKE_PORT:-50051}
  local broadcaster_port=${PARLEY_BROADCASTER_PORT:-50053}
  local prometheus_port=${PARLEY_PROMETHEUS_PORT:-9090}
  # Without -p, compose would name the project after the current folder.
  local project_option=" -p $project"

  local native_chat="build/bin/parley"
  if [[ "$intake_port" != 50051 ]]; then
    native_chat+=" --intake 127.0.0.1:$intake_port"
  fi
  if [[ "$broadcaster_port" != 50053 ]]; then
    native_chat+=" --broadcaster 127.0.0.1:$broadcaster_port"
  fi
  native_chat+=" chat --room lobby --sender alice"

  cat <<EOF

Parley is running in docker compose project '$project'.
  intake       127.0.0.1:$intake_port  (gRPC, public: Send)
  broadcaster  127.0.0.1:$broadcaster_port  (gRPC, public: Subscribe)
  prometheus   http://127.0.0.1:$prometheus_port/  (scrapes the three services)
  processor    internal to the compose network
  logs         ${compose_cli[*]}$project_option logs -f [SERVICE]

Chat from the host (after a native build):
  $native_chat
Chat from inside the intake container:
  ${compose_cli[*]}$project_option exec intake parley --broadcaster broadcaster:50053 chat --room lobby --sender alice
Stop:  ./deploy/down.sh --compose
EOF
}

stack_up() {
  check_engine
  "$repo_root/deploy/docker/seed-base-images.sh"

  if [[ -z "${PARLEY_REVISION:-}" ]]; then
    PARLEY_REVISION=$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
    export PARLEY_REVISION
  fi

  log "building the images (compose project '$project')"
  local started=$SECONDS
  local -a build_options=()
  # The classic builder that docker-compose v1 drives keeps the container
  # of a failed step unless --force-rm is given.
  if [[ "${compose_cli[0]}" == docker-compose ]]; then
    build_options+=(--force-rm)
  fi
  compose build "${build_options[@]}"
  log "images built in $((SECONDS - started)) s"

  log "starting the stack"
  compose up -d --remove-orphans
  wait_until_healthy
  log "all containers are healthy after $((SECONDS - started)) s"
  compose ps
  print_endpoints
}

stack_down() {
  check_engine
  log "stopping compose project '$project' (intake first; each service drains for up to $stop_timeout_seconds s)"
  compose down --remove-orphans -v -t "$stop_timeout_seconds"
}

main() {
  if (($# != 1)); then
    usage >&2
    exit 2
  fi
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    up | down | ps | cli) ;;
    *)
      printf 'compose-stack: error: unknown command: %s\n\n' "$1" >&2
      usage >&2
      exit 2
      ;;
  esac

  [[ "$wait_seconds" =~ ^[1-9][0-9]*$ ]] ||
    die "PARLEY_COMPOSE_WAIT_SECONDS must be a whole number of seconds above 0, got $wait_seconds"
  find_compose

  case "$1" in
    up) stack_up ;;
    down) stack_down ;;
    ps) compose ps ;;
    cli) printf '%s\n' "${compose_cli[*]}" ;;
  esac
}

main "$@"
