#!/usr/bin/env bash
# bench/lesnets/operator_speed.py rebuilds the space-time FNO in plain PyTorch
# from the model.pt that `opforge train` wrote: its roll-out of a test
# trajectory must score what `opforge evaluate --rollout` scores, on the
# data's grid and with the same weights on a latent grid (5^3 holds the
# dealiased 8^3 fields, |k| <= 2).
#   lesnets_operator_port.sh OPFORGE CONFIG SCRIPT   (in the directory of les3d_tiny.h5)
set -euo pipefail
shopt -s inherit_errexit  # a failed comparison inside $(compare ...) must stop the script
opforge=$1 config=$2 script=$3
compare() {  # LATENT_GRID ("" for none, else e.g. 5,5,5,0)
  local latent=$1 override=() option=()
  if [[ -n $latent ]]; then override=("model.latent_grid=[$latent]") option=(--latent-grid "$latent"); fi
  # The roll-out files go to their own directory (other tests roll out beside the same checkpoint).
  rm -rf run_lesnets_port
  opforge_scores=$("$opforge" evaluate "$config" --checkpoint run_lesnets_tiny/checkpoint.pt --rollout 2 \
    --rollout-dir run_lesnets_port/rollout 'data.test=[4, 5]' "${override[@]}" |
    sed -n 's/.*rel-L2 \([0-9.e+-]*\) over the first call, \([0-9.e+-]*\) at the last frame.*/\1 \2/p')
  for file in rollout.csv rollout.json spectra.csv; do [[ -s run_lesnets_port/rollout/$file ]]; done
  python_scores=$(/usr/bin/python3 "$script" run_lesnets_tiny/model.pt --data les3d_tiny.h5 --sample 4 --calls 2 \
    --frames 2 --padding 0,0,0,1 "${option[@]}" --repeats 1 |
    sed -n 's/.*rel-L2 \([0-9.e+-]*\) over the first call, \([0-9.e+-]*\) at frame.*/\1 \2/p')
  echo "latent grid [${latent:-none}]: opforge: $opforge_scores; PyTorch port: $python_scores"
  read -r a1 a2 <<<"$opforge_scores"
  read -r b1 b2 <<<"$python_scores"
  /usr/bin/python3 - "$a1" "$a2" "$b1" "$b2" <<'PY'
import sys
a1, a2, b1, b2 = map(float, sys.argv[1:])
# opforge prints 6 significant digits: the last one decides.
close = lambda a, b: abs(a - b) <= 1e-6 + 1e-5 * abs(a)
assert a1 > 0 and close(a1, b1) and close(a2, b2), (a1, a2, b1, b2)
PY
  echo "$opforge_scores"
}
plain=$(compare "")
latent=$(compare 5,5,5,0)
echo "$plain" | head -1; echo "$latent" | head -1
# The two grids give different functions of the same weights: the override took effect.
[[ $(echo "$plain" | tail -1) != $(echo "$latent" | tail -1) ]]
echo "operator port reproduces the opforge roll-out"
