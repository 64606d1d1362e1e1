#!/usr/bin/env bash
# Training under mpirun -n 2, for real:
#  1. SIGUSR1 to mpirun (what `sbatch --signal=B:USR1@...` delivers; mpirun
#     forwards it to the ranks): every rank stops at the same step boundary,
#     a checkpoint is written, exit status 0 with "stopped for requeue";
#     `--resume` then finishes all epochs.
#  2. SIGKILL of one rank: the job ends within a bound, the last checkpoint
#     is intact and `--resume` finishes all epochs.
# Both resumed runs must end with the weights of an uninterrupted run.
#   train_faults.sh OPFORGE MPIEXEC GENERATE_CONFIG TRAIN_CONFIG
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
opforge=$1 mpiexec=$2 generate_config=$3 train_config=$4
rm -rf train_faults && mkdir train_faults && cd train_faults
"$mpiexec" -n 2 "$opforge" generate "$generate_config" output.path=data.h5 > generate.log 2>&1 ||
  { cat generate.log; fail "generating the data failed"; }
epochs=$(awk '/epochs:/ {print $2}' "$train_config")

rows() { [[ -f "$1/metrics.csv" ]] && echo $(( $(wc -l < "$1/metrics.csv") - 1 )) || echo 0; }
same_as_straight() {
  /usr/bin/python3 "$here/same_weights.py" "$1/model.pt" straight/model.pt 1e-6 ||
    fail "$1: the resumed run's weights differ from the uninterrupted run's"
}

"$mpiexec" -n 2 "$opforge" train "$train_config" output.directory=straight > straight.log 2>&1 ||
  { cat straight.log; fail "the uninterrupted run failed"; }

# 1. Pre-emption signal.
preempt_when signalled.log "test -f signalled/checkpoint.pt" -- \
  "$mpiexec" -n 2 "$opforge" train "$train_config" output.directory=signalled
grep -q "stopped for requeue (signal 10)" signalled.log || fail "no 'stopped for requeue' message"
[[ ! -e signalled/model.pt ]] || fail "model.pt written by a pre-empted run"
done_before=$(rows signalled)
(( done_before < epochs )) || fail "the signal arrived too late to test anything ($done_before epochs done)"
"$mpiexec" -n 2 "$opforge" train "$train_config" output.directory=signalled --resume > resumed.log 2>&1 ||
  { cat resumed.log; fail "resume after the signal failed"; }
grep -q "resuming signalled/checkpoint.pt" resumed.log || fail "did not resume"
(( $(rows signalled) == epochs )) || fail "metrics.csv has $(rows signalled) epochs, expected $epochs"
[[ -e signalled/model.pt ]] || fail "no model.pt after resuming"
same_as_straight signalled

# 2. SIGKILL of one rank.
kill_one_rank_when killed.log 30 "test -f killed/checkpoint.pt" -- \
  "$mpiexec" -n 2 "$opforge" train "$train_config" output.directory=killed
cat killed.log | tail -5
"$opforge" evaluate "$train_config" output.directory=killed --checkpoint killed/checkpoint.pt > check.log 2>&1 ||
  { cat check.log; fail "the checkpoint left by the killed run is unreadable"; }
"$mpiexec" -n 2 "$opforge" train "$train_config" output.directory=killed --resume > killed_resumed.log 2>&1 ||
  { cat killed_resumed.log; fail "resume after the kill failed"; }
(( $(rows killed) >= epochs )) || fail "metrics.csv has $(rows killed) epochs after resuming, expected $epochs"
[[ -e killed/model.pt ]] || fail "no model.pt after resuming the killed run"
same_as_straight killed
echo PASS
