# Helpers for the fault and SLURM tests: run a job under mpirun, kill one of its ranks
# with SIGKILL once a condition holds, and check the job ends within a bound.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.2 s until it succeeds.
wait_for() {
  local bound=$1; shift
  local deadline=$((SECONDS + bound))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}

# start_until LOG CONDITION COMMAND...: starts COMMAND in the background with
# its output in LOG (its PID in $launcher, a child of this shell) and waits
# up to 120 s for CONDITION; fails, killing it, when CONDITION never holds.
start_until() {
  local log=$1 condition=$2; shift 2
  "$@" >"$log" 2>&1 &
  launcher=$!
  if ! wait_for 120 bash -c "$condition"; then
    kill -9 "$launcher" 2>/dev/null || true
    cat "$log" >&2
    fail "condition never held: $condition"
  fi
}

# preempt_when LOG CONDITION -- mpirun ARGS...: starts the job with its
# output in LOG, waits (up to 120 s) for CONDITION, sends SIGUSR1 to mpirun
# (which forwards it to the ranks, as SLURM's --signal=B:USR1 does) and
# requires the job to exit 0: a pre-empted run stops for requeue cleanly.
preempt_when() {
  local log=$1 condition=$2; shift 3
  start_until "$log" "$condition" "$@"
  kill -USR1 "$launcher"
  local status=0
  wait "$launcher" || status=$?
  cat "$log"
  (( status == 0 )) || fail "a pre-empted run must exit 0 (got $status)"
}

# kill_one_rank_when LOG BOUND CONDITION -- mpirun ARGS...: starts the job
# with its output in LOG, waits (up to 120 s) for CONDITION, sends SIGKILL to
# one rank and requires the whole job to be gone within BOUND seconds with a
# non-zero exit status.
kill_one_rank_when() {
  local log=$1 bound=$2 condition=$3; shift 4
  start_until "$log" "$condition" "$@"
  local rank
  rank=$(pgrep -P "$launcher" | tail -n 1)
  [[ -n "$rank" ]] || fail "no rank process under mpirun $launcher"
  echo "killing rank process $rank (SIGKILL) of job $launcher"
  kill -9 "$rank"
  local deadline=$((SECONDS + bound))
  while kill -0 "$launcher" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      kill -9 "$launcher" 2>/dev/null || true
      fail "job still running ${bound} s after one rank was killed (hang)"
    fi
    sleep 0.2
  done
  local status=0
  wait "$launcher" || status=$?
  (( status != 0 )) || fail "job exited 0 after a rank was killed"
  echo "job ended with status $status within ${bound} s"
}
