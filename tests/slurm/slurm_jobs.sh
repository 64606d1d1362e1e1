#!/usr/bin/env bash
# The sbatch scripts on a real scheduler: brings up the single-node cluster
# of scripts/slurm/local-cluster.sh, then
#  1. scripts/slurm/pipeline.sh: generate -> train chained with afterok; both
#     finish, the dataset is complete and the run has its final weights;
#  2. pre-emption: `scancel --signal=USR1 --batch` (what --signal=B:USR1@T
#     sends at walltime) makes train.sbatch checkpoint, exit 0 and requeue
#     itself; the requeued run resumes and finishes every epoch;
#  3. the same for generate.sbatch: the ranks finish the sample in hand and
#     leave a resumable .partial; the requeued run keeps its samples and
#     completes the dataset;
#  4. the same for online.sbatch: generation and training both stop, the
#     requeued run continues both and completes the dataset and the epochs.
# Exit 77 (skipped) without root or without slurm-wlm/munge.
#   slurm_jobs.sh OPFORGE REPO GENERATE_CONFIG TRAIN_CONFIG
source "$(dirname "$0")/../faults/lib.sh"  # fail, wait_for
opforge=$1 repo=$2 generate_config=$3 train_config=$4
[[ $(id -u) -eq 0 ]] || { echo "skipped: the local SLURM cluster needs root"; exit 77; }
command -v sbatch >/dev/null && command -v munged >/dev/null || { echo "skipped: slurm-wlm/munge not installed"; exit 77; }

started_here=0
if ! sinfo -h >/dev/null 2>&1; then
  "$repo/scripts/slurm/local-cluster.sh" start
  started_here=1
fi
cleanup() { (( started_here )) && "$repo/scripts/slurm/local-cluster.sh" stop >/dev/null; true; }
trap cleanup EXIT

work=$PWD/slurm_jobs
rm -rf "$work" && mkdir -p "$work" && cd "$work"
export OPFORGE="$opforge" OPFORGE_ROOT="$repo"

state() { scontrol show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
restarts() { scontrol show job "$1" | grep -o 'Restarts=[0-9]*' | cut -d= -f2; }
# wait_job JOB SECONDS: until the job completed (fail on any other end state).
wait_job() {
  local job=$1 deadline=$((SECONDS + $2)) s
  while :; do
    s=$(state "$job")
    case "$s" in
      COMPLETED) return 0 ;;
      FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) cat "$work"/*"-$job.out" >&2 || true; fail "job $job ended $s" ;;
    esac
    (( SECONDS < deadline )) || { scancel "$job"; fail "job $job still $s after $2 s"; }
    sleep 1
  done
}

# 1. generate -> train.
line=$("$repo/scripts/slurm/pipeline.sh" "$generate_config" "$train_config" --chdir="$work" --ntasks=2)
echo "$line"
generate_job=$(echo "$line" | sed -E 's/generate: job ([0-9]+);.*/\1/')
train_job=$(echo "$line" | sed -E 's/.*train: job ([0-9]+) .*/\1/')
scontrol show job "$train_job" | grep -q "Dependency=afterok:$generate_job" || fail "train job $train_job lacks afterok:$generate_job"
wait_job "$generate_job" 120
wait_job "$train_job" 300
grep -q "wrote data.h5: 40 samples" "opforge-generate-$generate_job.out" || fail "generation log"
[[ -e data.h5 && ! -e data.h5.partial ]] || fail "dataset not complete"
grep -q "trained" "opforge-train-$train_job.out" || fail "training log"
[[ -e pipeline_run/model.pt ]] || fail "no final weights"

# 2. Pre-emption and requeue.
job=$(sbatch --parsable --chdir="$work" --ntasks=2 "$repo/scripts/slurm/train.sbatch" "$train_config" \
        output.directory=preempted training.epochs=30)
wait_for 120 test -f preempted/checkpoint.pt || fail "no first checkpoint"
scancel --signal=USR1 --batch "$job"
# A requeued job waits for its begin time (SLURM delays it past the revocation
# of its first run's credential); start it now, but not within the same
# seconds: slurmd compares credential times at one-second resolution and
# kills a relaunch in the second of the revocation as "non-startable".
requeued() { [[ $(restarts "$1") -ge 1 && $(state "$1") == PENDING ]]; }
start_requeued() {
  wait_for 120 requeued "$1" || fail "job $1 was not requeued"
  sleep 3
  scontrol update JobId="$1" StartTime=now >/dev/null 2>&1 || true
}
start_requeued "$job"
wait_job "$job" 300
log="opforge-train-$job.out"
cat "$log"
grep -q "stopped for requeue (signal 10)" "$log" || fail "no 'stopped for requeue'"
grep -q "opforge: job $job (restart 1)" "$log" || fail "not requeued"
grep -q "resuming preempted/checkpoint.pt" "$log" || fail "the requeued run did not resume"
[[ -e preempted/model.pt ]] || fail "no final weights after requeue"
(( $(wc -l < preempted/metrics.csv) == 31 )) || fail "metrics.csv does not hold 30 epochs"

# 3. Pre-emption and requeue of a generation (slow on purpose: GMRES + Jacobi at 128 x 128).
job=$(sbatch --parsable --chdir="$work" --ntasks=2 "$repo/scripts/slurm/generate.sbatch" \
        "$repo/tests/faults/kill_generate.yaml" output.path=preempted.h5)
some_written() {
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File('preempted.h5.partial','r'); sys.exit(0 if f['written'][:].sum() >= 4 else 1)"
}
wait_for 120 some_written || fail "no samples written by generation job $job"
scancel --signal=USR1 --batch "$job"
start_requeued "$job"
wait_job "$job" 300
log="opforge-generate-$job.out"
cat "$log"
grep -Eq "stopped for requeue \(signal 10\): [0-9]+ of 24 samples in preempted.h5.partial" "$log" ||
  fail "no 'stopped for requeue' from the generation"
grep -q "opforge: job $job (restart 1)" "$log" || fail "generation not requeued"
grep -Eq "resuming preempted.h5.partial: [0-9]+ of 24 samples kept" "$log" || fail "the requeued generation did not resume"
grep -q "wrote preempted.h5: 24 samples" "$log" || fail "the requeued generation did not complete"
[[ -e preempted.h5 && ! -e preempted.h5.partial ]] || fail "generated dataset not complete"

# 4. Pre-emption and requeue of an online job (1 generator, 1 trainer).
"$opforge" generate "$repo/configs/darcy.yaml" num_samples=16 pde.resolution=17 seed=1 output.path=heldout.h5 >/dev/null
job=$(sbatch --parsable --chdir="$work" --ntasks=2 "$repo/scripts/slurm/online.sbatch" \
        "$repo/tests/faults/online_faults.yaml" generate.output.path=online.h5 train.output.directory=online \
        generate.num_samples=6000 train.training.epochs=6)
wait_for 120 test -f online/checkpoint.pt || fail "no first checkpoint from online job $job"
scancel --signal=USR1 --batch "$job"
start_requeued "$job"
wait_job "$job" 300
log="opforge-online-$job.out"
cat "$log"
grep -q "\[train\] stopped for requeue (signal 10)" "$log" || fail "the online training did not stop for requeue"
grep -q "opforge: job $job (restart 1)" "$log" || fail "online job not requeued"
grep -q "\[train\] resuming online/checkpoint.pt" "$log" || fail "the requeued online training did not resume"
grep -q "\[generate\] wrote online.h5: 6000 samples" "$log" || fail "the online dataset was not completed"
[[ -e online/model.pt ]] || fail "no final weights from the online job"
echo PASS
