#!/usr/bin/env bash
# kill -9 of one rank in the middle of `opforge generate` under mpirun -n 2:
# the job ends, no file pretends to be complete, and re-running the same
# command keeps the verified samples, solves the rest and yields the dataset
# of an uninterrupted run (inputs bitwise, outputs to solver tolerance).
#   generate_kill_resume.sh OPFORGE MPIEXEC CONFIG
source "$(dirname "$0")/lib.sh"
opforge=$1 mpiexec=$2 config=$3
rm -rf kill_generate && mkdir kill_generate && cd kill_generate

"$mpiexec" -n 2 "$opforge" generate "$config" output.path=reference.h5 > reference.log 2>&1 ||
  { cat reference.log; fail "reference run failed"; }

count_written="/usr/bin/python3 -c \"import h5py,sys; f=h5py.File('run.h5.partial','r'); sys.exit(0 if f['written'][:].sum() >= 6 else 1)\""
kill_one_rank_when killed.log 30 "$count_written" -- "$mpiexec" -n 2 "$opforge" generate "$config" output.path=run.h5
[[ ! -e run.h5 ]] || fail "run.h5 exists after the killed run"
[[ -e run.h5.partial ]] || fail "no run.h5.partial left to resume"

"$mpiexec" -n 2 "$opforge" generate "$config" output.path=run.h5 > resumed.log 2>&1 ||
  { cat resumed.log; fail "resumed run failed"; }
cat resumed.log
grep -Eq "resuming run.h5.partial: [0-9]+ of 24 samples kept" resumed.log || fail "no resume line"

/usr/bin/python3 - <<'PY'
import h5py, numpy as np, sys
ref, run = h5py.File("reference.h5", "r"), h5py.File("run.h5", "r")
assert run.attrs["complete"] == 1, "not complete"
assert (run["written"][:] == 1).all(), "written mask"
assert np.array_equal(ref["input"][:], run["input"][:]), "inputs differ"
o_ref, o_run = ref["output"][:].astype(float), run["output"][:].astype(float)
worst = max(np.linalg.norm(o_run[i] - o_ref[i]) / np.linalg.norm(o_ref[i]) for i in range(len(o_ref)))
print(f"inputs bitwise equal; worst relative output difference {worst:.2e}")
sys.exit(0 if worst < 1e-5 else 1)
PY
echo "PASS"
