#!/usr/bin/env bash
# LESnets second case (docs/benchmarks.md): generate the temporally evolving
# mixing layer at 32^3, train LESnets-FNO on the LES residual alone and a
# data-driven FNO on the labels, roll each out for 5 calls (50 frames) and
# print the table.
#   bench/lesnets/run_mixing_layer.sh [RANKS]   (logs and runs under runs/)
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks=${1:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
opforge=build/bin/opforge
here=bench/lesnets
[ -f data/les3d_mixing_layer32.h5 ] || mpirun -n "$ranks" $opforge generate $here/generate_mixing_layer.yaml
for name in lesnets_fno_mixing_layer_cpu fno_mixing_layer_data_cpu; do
  mpirun -n "$ranks" $opforge train $here/$name.yaml 2>&1 | tee runs/$name.train.log
  mpirun -n "$ranks" $opforge evaluate $here/$name.yaml --checkpoint runs/$name/checkpoint.pt --rollout 5 \
    2>&1 | tee runs/$name.evaluate.log
done
/usr/bin/python3 $here/table.py runs/lesnets_fno_mixing_layer_cpu runs/fno_mixing_layer_data_cpu
