#!/usr/bin/env bash
# LESnets CPU tier (docs/benchmarks.md).
#   bench/lesnets/run.sh [RANKS] [CASE]     (logs and runs under runs/)
# CASE dhit (default): generate DHIT 32^3 trajectories, train LESnets-FNO and
# LESnets-IFNO on the LES residual alone, LESnets-FNO with C_s^2 learned, and
# a data-driven FNO on the labels. CASE mixing_layer: the temporally evolving
# mixing layer, LESnets-FNO and the data-driven FNO. Each model is rolled out
# for 5 calls (50 frames) and the table printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ranks=${1:-2}
case_name=${2:-dhit}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
opforge=build/bin/opforge
here=bench/lesnets
case "$case_name" in
  dhit) data=data/les3d_dhit32.h5 generate=$here/generate.yaml
        names="lesnets_fno_cpu lesnets_ifno_cpu lesnets_fno_learned_cs2_cpu fno_les_data_cpu" ;;
  mixing_layer) data=data/les3d_mixing_layer32.h5 generate=$here/generate_mixing_layer.yaml
        names="lesnets_fno_mixing_layer_cpu fno_mixing_layer_data_cpu" ;;
  *) echo "run.sh: unknown case '$case_name' (dhit or mixing_layer)" >&2; exit 2 ;;
esac
[ -f "$data" ] || mpirun -n "$ranks" $opforge generate "$generate"
runs=()
for name in $names; do
  mpirun -n "$ranks" $opforge train $here/$name.yaml 2>&1 | tee runs/$name.train.log
  mpirun -n "$ranks" $opforge evaluate $here/$name.yaml --checkpoint runs/$name/checkpoint.pt --rollout 5 \
    2>&1 | tee runs/$name.evaluate.log
  runs+=("runs/$name")
done
/usr/bin/python3 $here/table.py "${runs[@]}"
