#!/usr/bin/env bash
# Fuzzes one of opforge's input readers with libFuzzer (clang, ASan + UBSan)
# for SECONDS (default 60), starting from its seed corpus in tests/fuzz/.
# New interesting inputs go to build/fuzz/TARGET/corpus; crashes to
# build/fuzz/TARGET/crash-* with the failing input.
#   scripts/fuzz.sh TARGET [SECONDS]     TARGET: config | dataset | checkpoint
# dataset and checkpoint edit a copy of a valid file: OPFORGE_FUZZ_TEMPLATE
# (default: the test suite's fixture, resp. a checkpoint it trains, in
# $OPFORGE_BUILD_DIR, default build/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${1:?usage: scripts/fuzz.sh config|dataset|checkpoint [SECONDS]}
seconds=${2:-60}
out=${OPFORGE_FUZZ_DIR:-$root/build/fuzz}/$target
mkdir -p "$out/corpus" "$out/generated/opforge/core"
# The header CMake generates, for the sources that include it.
sed 's/@PROJECT_VERSION@/fuzz/; s/@OPFORGE_GIT_COMMIT@//' "$root/src/opforge/core/version.hpp.in" \
  > "$out/generated/opforge/core/version.hpp"
command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed (scripts/install-deps.sh)" >&2; exit 1; }
src=$root/src/opforge
common=("$src/core/error.cpp" "$src/core/text.cpp" "$src/core/communicator.cpp")
flags=(-I"$root/src" -I"$out/generated" $(mpicxx --showme:compile))
libs=($(mpicxx --showme:link))
build=${OPFORGE_BUILD_DIR:-$root/build}
case $target in
  config)
    sources=("$src/config/config.cpp")
    flags+=($(pkg-config --cflags yaml-cpp)); libs+=($(pkg-config --libs yaml-cpp)) ;;
  dataset)
    sources=("$src/io/dataset_reader.cpp" "$src/io/dataset_format.cpp" "$src/io/hdf5.cpp" "$src/io/dataset_writer.cpp"
             "$src/io/xdmf.cpp" "$src/core/file_commit.cpp" "$src/core/log.cpp")
    flags+=($(pkg-config --cflags hdf5-openmpi)); libs+=($(pkg-config --libs hdf5-openmpi) -lz)
    template=${OPFORGE_FUZZ_TEMPLATE:-$build/tests/fixture.h5} ;;
  checkpoint)
    # The loader's own files are built instrumented; the models, LibTorch and
    # the rest come from the CMake build (its flags and its library).
    [[ -f $build/src/libopforge.a ]] || { echo "fuzz: build opforge first (scripts/build.sh)" >&2; exit 1; }
    sources=("$src/train/loop/checkpoint.cpp" "$src/config/differences.cpp" "$src/io/zip_integrity.cpp")
    mapfile -t cmake_flags < <(/usr/bin/python3 - "$build" <<'PY'
import json, shlex, sys
build = sys.argv[1]
command = next(c["command"] for c in json.load(open(f"{build}/compile_commands.json"))
               if c["file"].endswith("train/loop/checkpoint.cpp"))
words = shlex.split(command)
for i, word in enumerate(words):
    if word.startswith(("-I", "-D")):
        print(word)
    elif word == "-isystem":
        print("-isystem" + words[i + 1])
PY
)
    mapfile -t cmake_libs < <(sed -n '/^build bin\/opforge:/,/^$/s/^  LINK_LIBRARIES = //p' "$build/build.ninja" | tr -d '"' | tr ' ' '\n' |
                              grep -v '^$' | sed "s|^src/|$build/src/|")
    flags+=("${cmake_flags[@]}"); libs=("${cmake_libs[@]}")
    template=${OPFORGE_FUZZ_TEMPLATE:-$build/tests/train/run_learns_np1/checkpoint.pt} ;;
  *) echo "fuzz: unknown target '$target' (config, dataset, checkpoint)" >&2; exit 2 ;;
esac
sources=("$root/tests/fuzz/${target}_fuzz.cpp" "${sources[@]}" "${common[@]}")
binary=$out/${target}_fuzz
if [[ ! -x $binary ]] || [[ -n $(find "${sources[@]}" "$src" -newer "$binary" 2>/dev/null | head -1) ]]; then
  echo "fuzz: building $binary"
  clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    "${flags[@]}" "${sources[@]}" -o "$binary" "${libs[@]}"
fi
if [[ -n ${template:-} ]]; then
  [[ -f $template ]] || { echo "fuzz: template '$template' does not exist" >&2; exit 1; }
  export OPFORGE_FUZZ_TEMPLATE=$(cd "$(dirname "$template")" && pwd)/$(basename "$template")
fi
cd "$out"
"$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  corpus "$root/tests/fuzz/corpus/$target"
