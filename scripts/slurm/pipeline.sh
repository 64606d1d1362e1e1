#!/usr/bin/env bash
# Generate then train, chained with a SLURM dependency: training starts only
# when generation has succeeded (afterok).
#   scripts/slurm/pipeline.sh GENERATE_CONFIG TRAIN_CONFIG [sbatch options...]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ $# -ge 2 ]] || { echo "usage: $0 GENERATE_CONFIG TRAIN_CONFIG [sbatch options...]" >&2; exit 2; }
generate_config=$1 train_config=$2; shift 2
generate_job=$(sbatch --parsable "$@" "$here/generate.sbatch" "$generate_config")
train_job=$(sbatch --parsable --dependency=afterok:"$generate_job" "$@" "$here/train.sbatch" "$train_config")
echo "generate: job $generate_job; train: job $train_job (after $generate_job succeeds)"
