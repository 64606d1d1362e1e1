#!/usr/bin/env bash
# Configures (once) and builds opforge into build/ (or $OPFORGE_BUILD_DIR).
# Arguments name the targets to build (default: all, tests included);
# scripts/quickstart.sh builds only opforge_cli, the executable it runs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${OPFORGE_BUILD_DIR:-$root/build}
build_type=${OPFORGE_BUILD_TYPE:-RelWithDebInfo}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
fi
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"
