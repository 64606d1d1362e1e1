#!/usr/bin/env bash
# `opforge generate` under mpirun -n 2, interrupted in the middle and re-run:
#  1. kill -9 of one rank: the job ends, no file pretends to be complete;
#  2. SIGUSR1 to mpirun (pre-emption): every rank finishes the sample in hand,
#     the .partial is closed resumable, exit 0 with "stopped for requeue".
# Each time, re-running the same command keeps the verified samples, solves
# the rest and yields the dataset of an uninterrupted run (inputs bitwise,
# outputs to solver tolerance).
#   generate_kill_resume.sh OPFORGE MPIEXEC CONFIG
source "$(dirname "$0")/lib.sh"
opforge=$1 mpiexec=$2 config=$3
rm -rf kill_generate && mkdir kill_generate && cd kill_generate

"$mpiexec" -n 2 "$opforge" generate "$config" output.path=reference.h5 > reference.log 2>&1 ||
  { cat reference.log; fail "reference run failed"; }

# written_at_least FILE N: the .partial of FILE holds N or more samples.
written_at_least() {
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File('$1.partial','r'); sys.exit(0 if f['written'][:].sum() >= $2 else 1)"
}
# same_as_reference FILE: complete, and equal to reference.h5.
same_as_reference() {
  /usr/bin/python3 - "$1" <<'PY'
import h5py, numpy as np, sys
ref, run = h5py.File("reference.h5", "r"), h5py.File(sys.argv[1], "r")
assert run.attrs["complete"] == 1, "not complete"
assert (run["written"][:] == 1).all(), "written mask"
assert np.array_equal(ref["input"][:], run["input"][:]), "inputs differ"
o_ref, o_run = ref["output"][:].astype(float), run["output"][:].astype(float)
worst = max(np.linalg.norm(o_run[i] - o_ref[i]) / np.linalg.norm(o_ref[i]) for i in range(len(o_ref)))
print(f"{sys.argv[1]}: inputs bitwise equal; worst relative output difference {worst:.2e}")
sys.exit(0 if worst < 1e-5 else 1)
PY
}

# 1. kill -9 of one rank.
count_written="$(declare -f written_at_least); written_at_least run.h5 6"
kill_one_rank_when killed.log 30 "$count_written" -- "$mpiexec" -n 2 "$opforge" generate "$config" output.path=run.h5
[[ ! -e run.h5 ]] || fail "run.h5 exists after the killed run"
[[ -e run.h5.partial ]] || fail "no run.h5.partial left to resume"

"$mpiexec" -n 2 "$opforge" generate "$config" output.path=run.h5 > resumed.log 2>&1 ||
  { cat resumed.log; fail "resumed run failed"; }
cat resumed.log
grep -Eq "resuming run.h5.partial: [0-9]+ of 24 samples kept" resumed.log || fail "no resume line"
same_as_reference run.h5 || fail "the resumed dataset differs from the uninterrupted one"

# 2. Pre-emption signal.
export -f written_at_least  # the condition runs in its own shell
preempt_when signalled.log "written_at_least signalled.h5 4" -- \
  "$mpiexec" -n 2 "$opforge" generate "$config" output.path=signalled.h5
grep -Eq "stopped for requeue \(signal 10\): [0-9]+ of 24 samples in signalled.h5.partial" signalled.log ||
  fail "no 'stopped for requeue' line"
[[ ! -e signalled.h5 ]] || fail "signalled.h5 exists after a pre-empted run"
written_at_least signalled.h5 4 || fail "the pre-empted .partial lost its samples"
! written_at_least signalled.h5 24 || fail "the signal arrived too late to test anything"
"$mpiexec" -n 2 "$opforge" generate "$config" output.path=signalled.h5 > signalled_resumed.log 2>&1 ||
  { cat signalled_resumed.log; fail "resume after the signal failed"; }
grep -Eq "resuming signalled.h5.partial: [0-9]+ of 24 samples kept" signalled_resumed.log || fail "no resume line"
same_as_reference signalled.h5 || fail "the dataset resumed after the signal differs from the uninterrupted one"
echo "PASS"
