#!/usr/bin/env bash
# `opforge online` under mpirun -n 2 (1 generator, 1 trainer), for real:
#  1. SIGUSR1 to mpirun while both roles work: generation closes its .partial
#     file, training writes a checkpoint, exit status 0; `--resume` finishes
#     both.
#  2. SIGKILL of one rank: the job ends within a bound; `--resume` finishes.
#  3. With online.deterministic, SIGUSR1 then `--resume` trains to the
#     weights of an uninterrupted run: the resumed generator streams its kept
#     samples again and the trainer refills its buffer from them.
# Each time the dataset left behind must equal an offline `opforge generate`
# of the same generate section.
#   online_faults.sh OPFORGE MPIEXEC CONFIG DARCY_CONFIG SAME_DATASET_PY
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
opforge=$1 mpiexec=$2 config=$3 darcy=$4 same_dataset=$5
rm -rf online_faults && mkdir online_faults && cd online_faults
"$opforge" generate "$darcy" num_samples=16 pde.resolution=17 seed=1 output.path=heldout.h5 > heldout.log 2>&1 ||
  { cat heldout.log; fail "generating the held-out set failed"; }

# equals_offline NAME: NAME.h5 against `opforge generate` of its own provenance config.
equals_offline() {
  /usr/bin/python3 "$same_dataset" --extract-config "$1.h5" "$1_offline.yaml"
  "$opforge" generate "$1_offline.yaml" output.path="$1_offline.h5" > "$1_offline.log" 2>&1 ||
    { cat "$1_offline.log"; fail "$1: the offline generation failed"; }
  /usr/bin/python3 "$same_dataset" "$1.h5" "$1_offline.h5" "$1/metrics.csv" 1e-6 64 1 || fail "$1: not the offline dataset"
}
# The job's command line for run NAME (mpirun itself gets the signals).
job() { echo "$mpiexec" -n 2 "$opforge" online "$config" generate.output.path="$1.h5" train.output.directory="$1"; }

# 1. Pre-emption signal.
preempt_when signalled.log "test -f signalled/checkpoint.pt" -- $(job signalled)
grep -q "\[generate\] stopped (signal 10)" signalled.log || fail "generation did not stop on the signal"
grep -q "\[train\] stopped for requeue (signal 10)" signalled.log || fail "training did not stop on the signal"
[[ -f signalled.h5.partial && ! -e signalled.h5 ]] || fail "expected only signalled.h5.partial"
[[ ! -e signalled/model.pt ]] || fail "model.pt written by a pre-empted run"
$(job signalled) --resume > resumed.log 2>&1 || { cat resumed.log; fail "resume after the signal failed"; }
grep -q "resuming signalled/checkpoint.pt" resumed.log || fail "training did not resume"
grep -q "samples kept" resumed.log || fail "generation did not resume"
[[ -e signalled/model.pt ]] || fail "no model.pt after resuming"
equals_offline signalled

# 2. SIGKILL of one rank.
kill_one_rank_when killed.log 30 "test -f killed/checkpoint.pt" -- $(job killed)
tail -5 killed.log
$(job killed) --resume > killed_resumed.log 2>&1 || { cat killed_resumed.log; fail "resume after the kill failed"; }
[[ -e killed/model.pt ]] || fail "no model.pt after resuming the killed run"
equals_offline killed

# 3. Exact resume in deterministic mode (one sample taken in per step, so the
#    first checkpoint comes while most of the samples are still to be made).
deterministic="online.deterministic=true online.samples_per_step=1"
$(job straight) $deterministic > straight.log 2>&1 || { cat straight.log; fail "the uninterrupted deterministic run failed"; }
preempt_when exact.log "test -f exact/checkpoint.pt" -- $(job exact) $deterministic
grep -q "\[generate\] stopped (signal 10)" exact.log || fail "generation had finished before the signal"
$(job exact) $deterministic --resume > exact_resumed.log 2>&1 || { cat exact_resumed.log; fail "deterministic resume failed"; }
grep -q "resuming exact/checkpoint.pt" exact_resumed.log || fail "the deterministic run did not resume"
/usr/bin/python3 "$here/same_weights.py" exact/model.pt straight/model.pt 0 ||
  fail "the resumed deterministic run's weights differ from the uninterrupted run's"
echo PASS
