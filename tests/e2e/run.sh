#!/usr/bin/env bash
# Runs the end-to-end suite (build/bin/parley_e2e_test) against a docker
# compose stack of its own, then removes that stack.
#
# The stack gets a compose project name unique to this run and free host
# ports on 127.0.0.1, so it can run next to a stack from deploy/up.sh. The
# images are built from the working tree (deploy/docker/Dockerfile) and
# kept for the next run; containers, network and volumes are removed.
#
# Usage: tests/e2e/run.sh [--build-dir DIR] [GTEST_ARGS...]
#   --build-dir DIR  CMake build folder holding bin/parley_e2e_test and
#                    bin/parley (default: build)
#   GTEST_ARGS       passed to the suite, for example
#                    --gtest_filter='StackTest.*'
#
# The last line printed is "e2e: N passed, N failed[, N skipped]". Exits 0
# only when the stack came up, nothing failed and the stack was removed.
# Without a Docker engine it prints why and exits 0 with nothing run.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly repo_root
readonly stack_script="$repo_root/deploy/docker/compose-stack.sh"
# Bound for the whole suite; a normal run takes a few minutes.
readonly suite_timeout_seconds=1500

build_dir="$repo_root/build"
gtest_args=()
project=""
work_dir=""

log() {
  printf 'e2e: %s\n' "$*"
}

# Prints the closing line and exits.
finish() {
  local passed=$1 failed=$2 skipped=$3
  local line="e2e: $passed passed, $failed failed"
  if ((skipped > 0)); then
    line+=", $skipped skipped"
  fi
  printf '%s\n' "$line"
  if ((failed > 0)); then
    exit 1
  fi
  exit 0
}

parse_args() {
  while (($# > 0)); do
    case "$1" in
      --build-dir)
        [[ $# -ge 2 ]] || {
          printf 'e2e: error: --build-dir needs a folder\n' >&2
          exit 2
        }
        build_dir=$(cd "$2" 2>/dev/null && pwd) || {
          printf 'e2e: error: build folder not found: %s\n' "$2" >&2
          exit 2
        }
        shift
        ;;
      -h | --help)
        sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
        exit 0
        ;;
      *)
        gtest_args+=("$1")
        ;;
    esac
    shift
  done
}

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
  python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Removes the stack and checks that nothing of the project is left.
# Returns 1 if something is.
remove_stack() {
  [[ -n "$project" ]] || return 0
  log "removing compose project $project"
  "$stack_script" down >"$work_dir/down.log" 2>&1 || {
    cat "$work_dir/down.log" >&2
  }
  local label="com.docker.compose.project=$project" left=""
  left+=$(docker ps -a -q --filter "label=$label")
  left+=$(docker network ls -q --filter "label=$label")
  left+=$(docker volume ls -q --filter "label=$label")
  project=""
  if [[ -n "$left" ]]; then
    printf 'e2e: error: containers, networks or volumes of the project are left: %s\n' "$left" >&2
    return 1
  fi
}

on_exit() {
  remove_stack || true
  [[ -n "$work_dir" ]] && rm -rf "$work_dir"
}

main() {
  parse_args "$@"

  if ! command -v docker >/dev/null 2>&1; then
    log "skipped: the docker command is not installed"
    exit 0
  fi
  if ! docker info >/dev/null 2>&1; then
    log "skipped: no Docker engine is reachable (docker info failed)"
    exit 0
  fi

  local binary="$build_dir/bin/parley_e2e_test"
  if [[ ! -x "$binary" ]]; then
    printf 'e2e: error: %s is missing; build it with cmake --build %s --target parley_e2e_test\n' \
      "$binary" "$build_dir" >&2
    finish 0 1 0
  fi

  work_dir=$(mktemp -d "${TMPDIR:-/tmp}/parley-e2e.XXXXXX")
  trap on_exit EXIT
  trap 'exit 130' INT TERM

  project="parley-e2e-$(date +%s)-$$"
  PARLEY_COMPOSE_PROJECT=$project
  PARLEY_INTAKE_PORT=$(free_port)
  PARLEY_BROADCASTER_PORT=$(free_port)
  PARLEY_PROMETHEUS_PORT=$(free_port)
  export PARLEY_COMPOSE_PROJECT PARLEY_INTAKE_PORT PARLEY_BROADCASTER_PORT PARLEY_PROMETHEUS_PORT

  local started=$SECONDS
  log "starting compose project $project"
  if ! "$stack_script" up; then
    log "the compose stack did not come up; see above"
    remove_stack
    finish 0 1 0
  fi
  local up_seconds=$((SECONDS - started))

  local compose_cli
  compose_cli=$("$stack_script" cli)
  # The suite keeps command logs under TMPDIR, inside work_dir, which the
  # exit trap removes.
  local suite_log="$work_dir/suite.log"
  log "running $binary"
  PARLEY_INTAKE="127.0.0.1:$PARLEY_INTAKE_PORT" \
    PARLEY_BROADCASTER="127.0.0.1:$PARLEY_BROADCASTER_PORT" \
    PARLEY_PROMETHEUS="127.0.0.1:$PARLEY_PROMETHEUS_PORT" \
    PARLEY_CLI="$build_dir/bin/parley" \
    PARLEY_E2E_COMPOSE_PROJECT="$project" \
    PARLEY_E2E_COMPOSE_FILE="$repo_root/docker-compose.yml" \
    PARLEY_E2E_COMPOSE_CLI="$compose_cli" \
    TMPDIR="$work_dir" \
    timeout --kill-after=10 "$suite_timeout_seconds" "$binary" --gtest_color=no "${gtest_args[@]}" 2>&1 |
    tee "$suite_log"
  local suite_status=${PIPESTATUS[0]}

  local passed failed skipped
  passed=$(grep -c '^\[       OK \] ' "$suite_log")
  failed=$(grep -cE '^\[  FAILED  \] .* \([0-9]+ ms\)$' "$suite_log")
  skipped=$(grep -cE '^\[  SKIPPED \] .* \([0-9]+ ms\)$' "$suite_log")
  if ((suite_status != 0 && failed == 0)); then
    log "the suite exited with status $suite_status without a failed case (crash or timeout)"
    failed=1
  fi
  if ((failed > 0)); then
    log "last log lines of the stack:"
    (cd "$repo_root" && $compose_cli -p "$project" -f docker-compose.yml logs --no-color --tail 60) 2>&1
  fi

  if ! remove_stack; then
    failed=$((failed + 1))
  fi
  log "stack up in $up_seconds s (image build included); whole phase $((SECONDS - started)) s"
  finish "$passed" "$failed" "$skipped"
}

main "$@"
