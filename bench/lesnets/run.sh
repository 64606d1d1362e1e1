#!/usr/bin/env bash
# LESnets CPU tier (docs/benchmarks.md): generate DHIT 32^3 trajectories, train
# LESnets-FNO and LESnets-IFNO on the LES residual alone, LESnets-FNO with
# C_s^2 learned, and a data-driven FNO on the labels; roll each out for 5
# calls (50 frames) and print the table.
#   bench/lesnets/run.sh [RANKS]        (logs and runs under runs/lesnets_*)
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks=${1:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
opforge=build/bin/opforge
here=bench/lesnets
[ -f data/les3d_dhit32.h5 ] || mpirun -n "$ranks" $opforge generate $here/generate.yaml
for name in lesnets_fno_cpu lesnets_ifno_cpu lesnets_fno_learned_cs2_cpu fno_les_data_cpu; do
  mpirun -n "$ranks" $opforge train $here/$name.yaml 2>&1 | tee runs/$name.train.log
  mpirun -n "$ranks" $opforge evaluate $here/$name.yaml --checkpoint runs/$name/checkpoint.pt --rollout 5 \
    2>&1 | tee runs/$name.evaluate.log
done
/usr/bin/python3 $here/table.py runs/lesnets_fno_cpu runs/lesnets_ifno_cpu runs/lesnets_fno_learned_cs2_cpu \
  runs/fno_les_data_cpu
