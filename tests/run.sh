#!/usr/bin/env bash
# Installs the build dependencies, builds Parley into build/ and runs its
# test suite with ctest. Exits with ctest's status.
#
# Usage: tests/run.sh [CTEST_ARGS...]
#   Extra arguments go to ctest, for example `tests/run.sh -R unit`.
#
# Environment:
#   CI  when set and not "false" or "0", compiler warnings are errors
#       (-DPARLEY_WERROR=ON). Otherwise the build sets PARLEY_WERROR=OFF.
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

main() {
  install_dependencies
  configure_and_build
  # Nothing prints after ctest, so its summary stays the last output line.
  run_tests "$@"
}

main "$@"
