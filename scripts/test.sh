#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (ctest),
# including the tests that run under mpirun -n 2 and -n 3.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/env.sh"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "${OPFORGE_BUILD_DIR:-$root/build}"
# Tests declare PROCESSORS; -j2 fits the 2-core CI machine.
ctest -j "${OPFORGE_TEST_JOBS:-2}" --output-on-failure --timeout 600 "$@"
