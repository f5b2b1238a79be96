# Sourced by the systemd test scripts, which run `cmake --install` from a
# build folder. That rewrites the build's install_manifest.txt, which the
# uninstall steps in docs/systemd.md read, so the scripts save the original
# first and put it back on exit.

# Copies BUILD_DIR/install_manifest.txt, if any, into WORK_DIR.
save_install_manifest() {
  local build_dir=$1 work_dir=$2
  if [[ -f "$build_dir/install_manifest.txt" ]]; then
    cp "$build_dir/install_manifest.txt" "$work_dir/install_manifest.saved"
  fi
}

# Puts back the manifest that save_install_manifest copied into WORK_DIR,
# or removes the one the test wrote when there was none before.
restore_install_manifest() {
  local build_dir=$1 work_dir=$2
  if [[ -f "$work_dir/install_manifest.saved" ]]; then
    cp "$work_dir/install_manifest.saved" "$build_dir/install_manifest.txt"
  else
    rm -f "$build_dir/install_manifest.txt"
  fi
}
