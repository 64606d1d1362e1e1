#!/usr/bin/env bash
# Every experiment file in configs/ is accepted by this version as shipped:
# each generation config writes one sample, and each training config trains
# one epoch on a tiny dataset of its family. Only the sizes are overridden
# (sample counts, splits, epochs, batch, paths); every other key, the model
# and the recipe are the file's, so a renamed or removed key, a refused
# value or a model that no longer builds fails here with the file's name.
#   shipped_configs.sh OPFORGE REPO MPIEXEC   (works in ./shipped, made afresh)
set -euo pipefail
opforge=$1 repo=$2 mpiexec=$3
configs=$repo/configs
rm -rf shipped && mkdir shipped && cd shipped
failures=0

run() {  # DESCRIPTION COMMAND...: prints the one-line error of a failure
  local what=$1
  shift
  if ! "$@" >log.txt 2>&1; then
    echo "FAILED: $what: $(grep -m1 'error' log.txt || tail -n1 log.txt)"
    failures=$((failures + 1))
  fi
}

# 1. Generation: one sample each, the expensive grids and horizons shortened
# (an online file's generate: part runs in 4).
declare -A generation_overrides=(
  [ns2d]="pde.final_time=1 pde.resolution=64 pde.time_step=1.0e-3"
  [les3d]="pde.spinup_time=0.02 pde.frames=2"
)
for file in "$configs"/*.yaml; do
  name=$(basename "$file" .yaml)
  grep -q '^pde:' "$file" || continue
  # shellcheck disable=SC2086  # the overrides are separate words
  run "configs/$name.yaml" "$opforge" generate "$file" num_samples=1 ${generation_overrides[$name]:-} \
    output.path="gen_$name.h5" output.overwrite=true
done

# 2. The tiny datasets the training configs read, named after their paths.
generate() {  # DATA_PATH CONFIG OVERRIDES...
  local path=$1 config=$2
  shift 2
  mkdir -p "$(dirname "$path")"
  run "dataset $path" "$opforge" generate "$configs/$config" num_samples=3 "$@" output.path="$path" \
    output.overwrite=true
}
generate data/darcy_r421.h5 darcy.yaml pde.resolution=421
generate data/helmholtz_s64.h5 helmholtz.yaml
generate data/helmholtz_dehoop.h5 helmholtz_dehoop.yaml
generate data/ns2d_cpu_t20.h5 ns2d_cpu.yaml pde.final_time=20
generate data/ns2d_nu1e-3.h5 ns2d_cpu.yaml pde.final_time=50
generate data/ns2d_nu1e-5.h5 ns2d_cpu.yaml pde.regime=nu1e-5 pde.final_time=20 pde.time_step=5.0e-4
generate data/quickstart/darcy_s32.h5 quickstart.yaml
generate data/darcy_64_heldout.h5 darcy.yaml pde.resolution=64 seed=1

# 3. Training: one epoch on samples 0 (train), 1 (test) and 2 (validation).
trained=0 expected=0
for file in "$configs"/*.yaml; do
  name=$(basename "$file" .yaml)
  grep -q '^model:' "$file" || continue
  path=$(sed -n 's/^  path: *//p' "$file" | head -n1)
  if [[ ! -f $path ]]; then
    echo "FAILED: configs/$name.yaml reads '$path', which this test does not generate"
    failures=$((failures + 1))
    continue
  fi
  run "configs/$name.yaml" "$opforge" train "$file" 'data.train=[0, 1]' 'data.test=[1, 2]' \
    'data.validation=[2, 3]' training.epochs=1 training.batch_size=1 output.directory="run_$name"
  expected=$((expected + 1))
  [[ -s run_$name/checkpoint.pt ]] && trained=$((trained + 1))
done

# 4. Online: one generator rank streams 4 samples to one trainer rank.
for file in "$configs"/*.yaml; do
  name=$(basename "$file" .yaml)
  grep -q '^online:' "$file" || continue
  run "configs/$name.yaml" "$mpiexec" -n 2 "$opforge" online "$file" generate.num_samples=4 \
    generate.output.path="stream_$name.h5" 'train.data.train=[0, 1]' 'train.data.test=[1, 2]' \
    'train.data.validation=[2, 3]' train.training.epochs=1 train.training.batch_size=1 \
    train.output.directory="run_$name"
  expected=$((expected + 1))
  [[ -s run_$name/checkpoint.pt ]] && trained=$((trained + 1))
done

echo "shipped configs: $trained of $expected training and online configs trained one epoch, $failures failure(s)"
[[ $failures -eq 0 && $trained -eq $expected && $expected -gt 0 ]]
