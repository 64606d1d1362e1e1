#!/usr/bin/env bash
# A single-node SLURM cluster on this machine (Debian slurm-wlm + munge), for
# tests and for trying the sbatch scripts: slurmctld and slurmd on localhost,
# state under $OPFORGE_SLURM_DIR (default /tmp/opforge-slurm). Needs root.
#   scripts/slurm/local-cluster.sh start | stop | status
set -euo pipefail
dir=${OPFORGE_SLURM_DIR:-/tmp/opforge-slurm}
conf=/etc/slurm/slurm.conf
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))

start() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    { echo "local-cluster: slurm-wlm and munge are not installed (scripts/install-deps.sh)" >&2; exit 1; }
  mkdir -p "$dir"/{spool,state,log} /etc/slurm /run/munge /var/log/munge /var/lib/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
  fi
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  chmod 0400 /etc/munge/munge.key
  pgrep -x munged >/dev/null || su -s /bin/sh munge -c "munged" 2>/dev/null || munged --force
  cat > "$conf" <<CONF
# Written by opforge scripts/slurm/local-cluster.sh
ClusterName=opforge-local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
JobRequeue=1
MinJobAge=3600
KillWait=10
JobAcctGatherType=jobacct_gather/none
NodeName=localhost CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  pgrep -x slurmctld >/dev/null || slurmctld -c
  pgrep -x slurmd >/dev/null || slurmd -N localhost
  for _ in $(seq 1 60); do
    if sinfo -h -o %t 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then
      echo "local-cluster: up ($cpus CPUs, partition debug)"
      return 0
    fi
    scontrol update nodename=localhost state=resume >/dev/null 2>&1 || true
    sleep 1
  done
  echo "local-cluster: the node did not come up; logs in $dir/log" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  pkill -x slurmd 2>/dev/null || true
  pkill -x slurmctld 2>/dev/null || true
  for _ in $(seq 1 20); do
    pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || break
    sleep 0.5
  done
  echo "local-cluster: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
