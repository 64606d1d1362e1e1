#!/usr/bin/env bash
# helmholtz_dehoop as users run it: the same dataset at 1 and 2 ranks, and
# every sample reproduced by an independent SciPy Q1 assembly and solve. The
# solution is |u| < 0.1: the two MUMPS factorisations (one rank, two ranks)
# are compared to an absolute 1e-12.
#   dehoop_ranks.sh OPFORGE MPIEXEC
set -euo pipefail
opforge=$1 mpiexec=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf dehoop_ranks && mkdir dehoop_ranks && cd dehoop_ranks
cat > dehoop.yaml <<'YAML'
seed: 7
num_samples: 3
pde: {type: helmholtz_dehoop, resolution: 101}
solver: {ksp_type: preonly, pc_type: lu, factor_package: mumps}
output: {path: unused.h5, value_type: float64}
YAML
"$mpiexec" -n 1 "$opforge" generate dehoop.yaml output.path=one.h5
"$mpiexec" -n 2 "$opforge" generate dehoop.yaml output.path=two.h5 ranks_per_solve=2
h5diff one.h5 two.h5 /input /input || { echo "FAIL: the inputs differ between 1 and 2 ranks"; exit 1; }
h5diff -d 1e-12 one.h5 two.h5 /output /output || { echo "FAIL: the outputs differ between 1 and 2 ranks"; exit 1; }
echo "same dataset at 1 and 2 ranks"
/usr/bin/python3 "$here/../pde/q1_helmholtz_scipy.py" one.h5 1000 0.15 1e-8
