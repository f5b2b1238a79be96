#!/usr/bin/env bash
# Installs the build dependencies, builds Parley into build/ and runs its
# test suite with ctest. When a Docker engine is reachable, it then runs
# the end-to-end suite against the docker compose stack (tests/e2e/run.sh),
# which builds the images first (11 minutes in one run on 2 cores).
# Exits non-zero if either phase fails.
#
# Usage: tests/run.sh [CTEST_ARGS...]
#   Extra arguments go to ctest, for example `tests/run.sh -R unit`, and
#   skip the end-to-end phase.
#
# Environment:
#   CI          when set and not "false" or "0", compiler warnings are
#               errors (-DPARLEY_WERROR=ON). Otherwise the build sets
#               PARLEY_WERROR=OFF.
#   PARLEY_E2E  0 to skip the end-to-end phase
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly repo_root
readonly build_dir="$repo_root/build"
readonly build_jobs=2
readonly ctest_timeout_seconds=600

print_phase() {
  printf '\n==== %s ====\n' "$*"
}

is_ci() {
  [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]
}

install_dependencies() {
  print_phase "install dependencies"
  "$repo_root/deploy/install-deps.sh"
}

configure_and_build() {
  local werror=OFF
  if is_ci; then
    werror=ON
  fi

  print_phase "configure $build_dir (PARLEY_WERROR=$werror)"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARLEY_WERROR="$werror"

  print_phase "build $build_dir"
  cmake --build "$build_dir" -j "$build_jobs"
}

run_tests() {
  print_phase "test $build_dir"
  ctest --test-dir "$build_dir" --output-on-failure \
    --timeout "$ctest_timeout_seconds" --no-tests=error -j1 "$@"
}

# Prints why the end-to-end phase cannot or should not run, or nothing
# when it should.
e2e_skip_reason() {
  if [[ "${PARLEY_E2E:-1}" == 0 ]]; then
    echo "PARLEY_E2E=0"
  elif (($# > 0)); then
    echo "ctest arguments were given"
  elif ! command -v docker >/dev/null 2>&1; then
    echo "the docker command is not installed"
  elif ! docker info >/dev/null 2>&1; then
    echo "no Docker engine is reachable (docker info failed)"
  elif ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
    echo "neither 'docker compose' nor 'docker-compose' is installed"
  fi
}

main() {
  install_dependencies
  configure_and_build

  local skip_reason
  skip_reason=$(e2e_skip_reason "$@")
  if [[ -n "$skip_reason" ]]; then
    print_phase "e2e against docker compose: skipped, $skip_reason"
    # Nothing prints after ctest, so its summary stays the last output line.
    run_tests "$@"
    return
  fi

  local ctest_status=0 e2e_status=0
  run_tests "$@" || ctest_status=$?
  print_phase "e2e against docker compose"
  # Its last line is "e2e: N passed, N failed".
  "$repo_root/tests/e2e/run.sh" --build-dir "$build_dir" || e2e_status=$?
  if ((ctest_status != 0)); then
    return "$ctest_status"
  fi
  return "$e2e_status"
}

main "$@"
