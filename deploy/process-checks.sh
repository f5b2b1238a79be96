# Process checks shared by deploy/up.sh and deploy/down.sh, which source
# this file. Each one matches a pid against its command line, so a pid file
# left behind after a crash does not match an unrelated process that reuses
# the pid.

# Prints the command line of PID with spaces between the arguments, and
# fails when PID is not a live, non-zombie process.
live_command_line() {
  local pid=$1 state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ "$state" != Z* ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null
}

# Succeeds when PID runs parley-SERVICE.
is_service_running() {
  local service=$1 pid=$2 cmdline
  cmdline=$(live_command_line "$pid") || return 1
  [[ "$cmdline" == *"parley-$service "* ]]
}

# Succeeds when PID is a Prometheus that stores its data in DATA_DIR, so
# that a system-wide Prometheus does not match.
is_prometheus_running() {
  local pid=$1 data_dir=$2 cmdline
  cmdline=$(live_command_line "$pid") || return 1
  [[ "$cmdline" == *"prometheus --config.file="* &&
    "$cmdline" == *" --storage.tsdb.path=$data_dir "* ]]
}
