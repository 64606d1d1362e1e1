#!/usr/bin/env bash
# ns2d as users run it: the same dataset at 1 and 2 ranks (trajectories are
# independent, sample i a function of (seed, i) alone), and every frame
# reproduced by an independent NumPy implementation of the scheme.
#   ns2d_ranks.sh OPFORGE MPIEXEC
set -euo pipefail
opforge=$1 mpiexec=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf ns2d_ranks && mkdir ns2d_ranks && cd ns2d_ranks
cat > ns2d.yaml <<'YAML'
seed: 4
num_samples: 3
pde: {type: ns2d, resolution: 32, stored_resolution: 32, viscosity: 1.0e-3, time_step: 2.0e-3,
      final_time: 0.4, frame_interval: 0.1}
output: {path: unused.h5, value_type: float64}
YAML
"$mpiexec" -n 1 "$opforge" generate ns2d.yaml output.path=one.h5
"$mpiexec" -n 2 "$opforge" generate ns2d.yaml output.path=two.h5
for object in /input /output /meta/enstrophy /meta/final_enstrophy; do
  h5diff one.h5 two.h5 "$object" "$object" || { echo "FAIL: $object differs between 1 and 2 ranks"; exit 1; }
done
echo "identical at 1 and 2 ranks"
/usr/bin/python3 "$here/../pde/ns2d_numpy.py" one.h5 1e-3 2e-3 0.1 0.1 1e-12
