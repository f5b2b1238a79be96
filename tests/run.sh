#!/usr/bin/env bash
# Installs the build dependencies, builds Parley into build/ and runs its
# test suite with ctest. Then it builds with ThreadSanitizer and with
# AddressSanitizer and runs the tests again under each. When a Docker
# engine is reachable, it last runs the end-to-end suite against the
# docker compose stack (tests/e2e/run.sh), which builds the images first
# (7 minutes for the whole phase in one run on 2 cores). Exits non-zero
# if any phase fails.
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
#   PARLEY_SANITIZERS
#               sanitizer builds to test after the main suite, default
#               "thread address"; empty to skip them
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

# Builds build-<sanitizer>/ with -fsanitize=<sanitizer> and runs the tests
# that exercise Parley's own concurrency under it. Debian's gRPC and abseil
# are not instrumented: tests/sanitizers/tsan.supp keeps TSan to Parley's
# code, and the integration tests run under AddressSanitizer only, since
# TSan slows the services past the time bounds those tests check.
run_sanitizer_suite() {
  local sanitizer=$1
  local dir="$repo_root/build-$sanitizer"
  # GCC 12 emits false -Wmaybe-uninitialized warnings under
  # -fsanitize=address, so only the main build treats warnings as errors.
  local werror=OFF tests='^unit\.' excluded='^$'
  if [[ "$sanitizer" == address ]]; then
    tests='^(unit|integration)\.'
  else
    # protobuf::Map code inlined into a TSan build crashes on maps that
    # Debian's uninstrumented libprotobuf filled (a JSON-parsed
    # google.protobuf.Struct is enough), so the tests that read parsed
    # JSON that way run in the other builds only.
    excluded='^unit\.(JsonLogFormat|EventJson)\.'
  fi

  print_phase "build with -fsanitize=$sanitizer ($dir)"
  cmake -S "$repo_root" -B "$dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPARLEY_SANITIZER="$sanitizer" \
    -DPARLEY_WERROR="$werror"
  cmake --build "$dir" -j "$build_jobs"

  print_phase "tests under -fsanitize=$sanitizer"
  # TODO: LeakSanitizer is off: gRPC 1.51 keeps process-lifetime
  # allocations that it reports at exit.
  TSAN_OPTIONS="suppressions=$repo_root/tests/sanitizers/tsan.supp halt_on_error=1" \
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" \
    ctest --test-dir "$dir" --output-on-failure --timeout "$ctest_timeout_seconds" \
    --no-tests=error -j1 -R "$tests" -E "$excluded"
}

run_sanitizer_suites() {
  local sanitizer
  for sanitizer in ${PARLEY_SANITIZERS-thread address}; do
    run_sanitizer_suite "$sanitizer" || return $?
  done
}

main() {
  install_dependencies
  configure_and_build

  # A filtered run, such as `tests/run.sh -R unit`, is a quick look: only
  # ctest, whose summary stays the last output line.
  if (($# > 0)); then
    run_tests "$@"
    return
  fi

  local passed=0 failed=0 status=0
  record() {
    if (($1 == 0)); then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      status=$1
    fi
  }

  local result=0
  run_tests || result=$?
  record "$result"

  result=0
  run_sanitizer_suites || result=$?
  record "$result"

  local skip_reason
  skip_reason=$(e2e_skip_reason)
  if [[ -n "$skip_reason" ]]; then
    print_phase "e2e against docker compose: skipped, $skip_reason"
  else
    print_phase "e2e against docker compose"
    result=0
    "$repo_root/tests/e2e/run.sh" --build-dir "$build_dir" || result=$?
    record "$result"
  fi

  # One closing line over the phases: ctest, sanitizer suites, e2e.
  printf '\nphases: %d passed, %d failed\n' "$passed" "$failed"
  return "$status"
}

main "$@"
