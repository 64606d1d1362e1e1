# Shared by the opforge sbatch scripts.
#   OPFORGE       the executable (default: <repo>/build/bin/opforge)
#   OPFORGE_ROOT  the repository (default: the submit directory)

opforge_job_start() {
  OPFORGE_ROOT=${OPFORGE_ROOT:-$SLURM_SUBMIT_DIR}
  OPFORGE=${OPFORGE:-$OPFORGE_ROOT/build/bin/opforge}
  # One torch/BLAS thread per CPU given to each task.
  export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
  # Parallel file systems (Lustre, GPFS) often lack the POSIX locks HDF5 1.10
  # takes by default; parallel HDF5 does not need them.
  export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}
  echo "opforge: job ${SLURM_JOB_ID} (restart ${SLURM_RESTART_COUNT:-0}) on ${SLURM_JOB_NODELIST}, ${SLURM_NTASKS} tasks x ${SLURM_CPUS_PER_TASK:-1} cpus"
}

# The signal policies; $child is the running job step.
# The ranks stop at a safe point (training: a checkpoint; generation: the
# sample in hand, the .partial closed) and exit 0; only then is the job requeued.
forward_then_requeue() {
  echo "opforge: walltime signal; asking the ranks to stop at a safe point"
  kill -USR1 "$child" 2>/dev/null || true  # mpirun forwards SIGUSR1 to every rank
  local status=0
  wait "$child" || status=$?
  if (( status == 0 )); then
    scontrol requeue "$SLURM_JOB_ID"
  fi
  exit "$status"
}

# run_preemptible POLICY COMMAND...: runs COMMAND in the background so that
# the batch shell can handle SIGUSR1 (bash runs traps only between commands).
run_preemptible() {
  local policy=$1; shift
  trap "$policy" USR1
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  # wait returns early (status > 128) when the trap ran; the policy exits.
  exit "$status"
}
