#!/usr/bin/env bash
# FNO against MgNO on the same data, trainer and budget (issue 6): Darcy
# (s = 43 from 421) and Helmholtz (s = 64), trained on 2 ranks, then one
# epoch of each at 1 and 2 ranks on the otherwise idle machine for the
# throughput columns, then the table (bench/model_table.py).
#   bench/compare_models.sh [darcy|helmholtz ...]      (~2 h for both here)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/env.sh
opforge=${OPFORGE:-build/bin/opforge}
datasets=("${@:-darcy helmholtz}")
read -r -a datasets <<< "${datasets[*]}"

[[ -e data/darcy_r421.h5 ]] || mpirun -n 2 "$opforge" generate configs/darcy.yaml num_samples=1200 \
  pde.resolution=421 output.path=data/darcy_r421.h5
[[ -e data/helmholtz_s64.h5 ]] || mpirun -n 2 "$opforge" generate configs/helmholtz.yaml num_samples=600 \
  output.path=data/helmholtz_s64.h5

for d in "${datasets[@]}"; do
  for m in mgno fno; do
    mpirun -n 2 "$opforge" train "configs/${m}_${d}_cpu.yaml" | tee "runs/${m}_${d}_cpu.log"
  done
done
for d in "${datasets[@]}"; do
  for m in fno mgno; do
    for p in 1 2; do
      mpirun -n "$p" "$opforge" train "configs/${m}_${d}_cpu.yaml" training.epochs=1 \
        output.directory="runs/timing_${m}_${d}_cpu_np$p" > "runs/timing_${m}_${d}_cpu_np$p.log"
    done
  done
done
for d in "${datasets[@]}"; do
  echo "### $d"
  /usr/bin/python3 bench/model_table.py "runs/fno_${d}_cpu" "runs/mgno_${d}_cpu" \
    --one-rank "runs/timing_fno_${d}_cpu_np1" "runs/timing_mgno_${d}_cpu_np1" \
    --two-rank "runs/timing_fno_${d}_cpu_np2" "runs/timing_mgno_${d}_cpu_np2"
done
