#!/usr/bin/env bash
# Runs promtool for a CTest check of the Prometheus configs and rules in
# deploy/prometheus. Exits 77, which CTest reports as skipped, when
# promtool is not installed.
#
# Usage: tests/prometheus/promtool_check.sh PROMTOOL_ARGUMENT...
#   for example: promtool_check.sh test rules deploy/prometheus/tests/alerts_test.yml
set -euo pipefail

# CTest's SKIP_RETURN_CODE for these tests.
readonly skip_exit_code=77

usage() {
  cat <<'USAGE'
Usage: tests/prometheus/promtool_check.sh PROMTOOL_ARGUMENT...

Runs promtool with the arguments, or exits 77 (skipped) when promtool is
not installed.
USAGE
}

main() {
  if (($# == 0)); then
    usage >&2
    exit 2
  fi
  if ! command -v promtool >/dev/null; then
    printf 'promtool_check.sh: promtool not found, so the check is skipped; apt-get install prometheus adds it\n'
    exit "$skip_exit_code"
  fi
  exec promtool "$@"
}

main "$@"
