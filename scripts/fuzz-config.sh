#!/usr/bin/env bash
# Fuzzes the config parser with libFuzzer (clang, ASan + UBSan) for SECONDS
# (default 60), starting from tests/fuzz/corpus. New interesting inputs go to
# build/fuzz/corpus; crashes to build/fuzz/crash-* with the failing input.
#   scripts/fuzz-config.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
out=${OPFORGE_FUZZ_DIR:-$root/build/fuzz}
mkdir -p "$out/corpus"
command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed (scripts/install-deps.sh)" >&2; exit 1; }
binary=$out/config_fuzz
sources=("$root/tests/fuzz/config_fuzz.cpp" "$root/src/opforge/config/config.cpp" "$root/src/opforge/core/error.cpp"
         "$root/src/opforge/core/text.cpp" "$root/src/opforge/core/communicator.cpp")
if [[ ! -x $binary ]] || [[ -n $(find "${sources[@]}" "$root/src/opforge/config" -newer "$binary" 2>/dev/null) ]]; then
  echo "fuzz: building $binary"
  # shellcheck disable=SC2046
  clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$root/src" -I"$out" $(mpicxx --showme:compile) $(pkg-config --cflags yaml-cpp) \
    "${sources[@]}" -o "$binary" $(mpicxx --showme:link) $(pkg-config --libs yaml-cpp)
fi
cd "$out"
"$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus "$root/tests/fuzz/corpus"
