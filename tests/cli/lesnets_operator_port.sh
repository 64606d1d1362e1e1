#!/usr/bin/env bash
# bench/lesnets/operator_speed.py rebuilds the space-time FNO in plain PyTorch
# from the model.pt that `opforge train` wrote: its roll-out of a test
# trajectory must score what `opforge evaluate --rollout` scores.
#   lesnets_operator_port.sh OPFORGE CONFIG SCRIPT   (in the directory of les3d_tiny.h5)
set -euo pipefail
opforge=$1 config=$2 script=$3
rm -rf run_lesnets_port && cp -r run_lesnets_tiny run_lesnets_port  # evaluate writes beside the checkpoint
opforge_scores=$("$opforge" evaluate "$config" --checkpoint run_lesnets_port/checkpoint.pt --rollout 2 'data.test=[4, 5]' |
  sed -n 's/.*rel-L2 \([0-9.e+-]*\) over the first call, \([0-9.e+-]*\) at the last frame.*/\1 \2/p')
python_scores=$(/usr/bin/python3 "$script" run_lesnets_port/model.pt --data les3d_tiny.h5 --sample 4 --calls 2 \
  --frames 2 --padding 0,0,0,1 --repeats 1 |
  sed -n 's/.*rel-L2 \([0-9.e+-]*\) over the first call, \([0-9.e+-]*\) at frame.*/\1 \2/p')
echo "opforge: $opforge_scores; PyTorch port: $python_scores"
read -r a1 a2 <<<"$opforge_scores"
read -r b1 b2 <<<"$python_scores"
/usr/bin/python3 - "$a1" "$a2" "$b1" "$b2" <<'PY'
import sys
a1, a2, b1, b2 = map(float, sys.argv[1:])
close = lambda a, b: abs(a - b) <= 2e-5 + 1e-4 * abs(a)
assert a1 > 0 and close(a1, b1) and close(a2, b2), (a1, a2, b1, b2)
print("operator port reproduces the opforge roll-out")
PY
