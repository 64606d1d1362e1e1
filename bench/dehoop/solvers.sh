#!/usr/bin/env bash
# The solvers of the helmholtz_dehoop sequence side by side (issue 23): a new
# indefinite Q1 matrix per sample, 101^2 unknowns, rtol 1e-8 on the true
# residual, one rank, no fallback. Prints s/sample (solve only) and the mean
# iterations for each strategy, natural and sorted (SKR) order.
#   bench/dehoop/solvers.sh [SAMPLES]
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
samples=${1:-100}
opforge=build/bin/opforge
out=runs/dehoop_solvers
mkdir -p $out
# The shipped config without its `solver: auto`, so that each run names its solver.
grep -v '^solver:' configs/helmholtz_dehoop.yaml > $out/dehoop.yaml
run() {  # NAME KEY=VALUE...
  local name=$1
  shift
  $opforge generate $out/dehoop.yaml num_samples=$samples output.path=$out/$name.h5 \
    output.overwrite=true "$@" > $out/$name.log 2>&1
  local solve iterations
  solve=$(grep -oE 'solve [0-9][0-9.e-]* s' $out/$name.log | grep -oE '[0-9][0-9.e-]*' | head -1)
  iterations=$(grep -oE 'mean iterations [0-9.]+' $out/$name.log | grep -oE '[0-9.]+$')
  if [ -n "$solve" ]; then
    printf '%-44s %8.4f s/sample  %8s iterations  %s\n' "$name" "$(echo "$solve / $samples" | bc -l)" "$iterations" \
      "$(grep -oE 'not converged [0-9]+' $out/$name.log)"
  else
    printf '%-44s %s\n' "$name" "$(grep -m1 -iE 'error' $out/$name.log)"
  fi
}
run mumps_lu solver.ksp_type=preonly solver.pc_type=lu solver.factor_package=mumps
run gmres40_ilu_natural solver.ksp_type=gmres solver.pc_type=ilu solver.fallback=none solver.max_it=10000
run gcrodr40_20_ilu_natural solver.ksp_type=gcrodr solver.pc_type=ilu solver.fallback=none solver.max_it=10000
run gcrodr40_20_ilu_greedy_skr solver.ksp_type=gcrodr solver.pc_type=ilu solver.fallback=none solver.max_it=10000 order=greedy
run gmres40_none_natural solver.ksp_type=gmres solver.pc_type=none solver.fallback=none solver.max_it=10000
run gcrodr40_20_none_greedy_skr solver.ksp_type=gcrodr solver.pc_type=none solver.fallback=none solver.max_it=10000 order=greedy
run gmres40_grid_mg solver.ksp_type=gmres solver.pc_type=mg
run solver_auto solver=auto
