#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default pipeline on a small
# embedded default (configs/quickstart*.yaml): generate a Darcy dataset on 2
# ranks, inspect it, train an FNO on 2 ranks, evaluate it, plot the run.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/env.sh"
"$root/scripts/install-deps.sh"
# Only the executable the pipeline runs (and the library it links): the test
# suite's targets are built by scripts/test.sh.
"$root/scripts/build.sh" opforge_cli
opforge="${OPFORGE_BUILD_DIR:-$root/build}/bin/opforge"

echo
echo "== opforge"
"$opforge" --version
ranks=${OPFORGE_QUICKSTART_RANKS:-2}
echo
echo "== 1. generate: Darcy dataset (configs/quickstart.yaml) on $ranks ranks"
mpirun -n "$ranks" "$opforge" generate "$root/configs/quickstart.yaml" \
  output.path="$root/data/quickstart/darcy_s32.h5"
echo
echo "== 2. inspect"
"$opforge" info "$root/data/quickstart/darcy_s32.h5" --samples 50
/usr/bin/python3 "$root/scripts/plot_dataset.py" "$root/data/quickstart/darcy_s32.h5"
echo
echo "== 3. train: FNO (configs/quickstart_train.yaml) on $ranks ranks"
mpirun -n "$ranks" "$opforge" train "$root/configs/quickstart_train.yaml" \
  data.path="$root/data/quickstart/darcy_s32.h5" output.directory="$root/runs/quickstart_fno"
echo
echo "== 4. evaluate on the test split"
mpirun -n "$ranks" "$opforge" evaluate "$root/configs/quickstart_train.yaml" \
  data.path="$root/data/quickstart/darcy_s32.h5" output.directory="$root/runs/quickstart_fno" \
  --checkpoint "$root/runs/quickstart_fno/checkpoint.pt" --predictions "$root/runs/quickstart_fno/predictions.h5"
/usr/bin/python3 "$root/scripts/plot_training.py" "$root/runs/quickstart_fno" \
  --predictions "$root/runs/quickstart_fno/predictions.h5"
echo
echo "quickstart: done; run 'scripts/test.sh' for the test suite"
