#!/usr/bin/env bash
# A one-node SLURM cluster on localhost, without systemd, for tests and for trying the sbatch
# scripts of `escapade slurm` by hand (docs/SLURM.md).
#
#   tests/slurm/cluster.sh up DIR [--watch PID [--remove-after PATH]]
#                                                  start munged, slurmctld and slurmd under DIR
#   tests/slurm/cluster.sh env DIR                 print the export line the clients need
#   tests/slurm/cluster.sh down DIR                cancel its jobs, stop exactly its daemons
#
# Everything lives under DIR: the MUNGE key and socket, slurm.conf, state, spool, logs and pid
# files, so the cluster leaves the host's /etc, /run and any system munged or slurmd alone, and two
# clusters (two build trees testing at once) do not meet: each has its own munged socket and its
# own free TCP ports. `down` stops only the daemons whose pid files are in DIR (after checking the
# process is still that daemon), never by name. With --watch PID a small watchdog runs `down DIR`
# as soon as process PID is gone, and then removes PATH if given (the test's work directory), so a
# test killed by a timeout or SIGKILL still leaves nothing behind.
#
# After `up`, point the SLURM clients at the cluster:  eval "$(tests/slurm/cluster.sh env DIR)"
# (jobs inherit SLURM_CONF, so `scontrol requeue` inside a job reaches the same cluster).
#
# Needs root (slurmd runs jobs as their submitting user, munged runs as user munge) and Debian's
# slurmctld, slurmd, slurm-client and munge packages (scripts/setup installs them). Exit codes:
# 0 ok, 1 failure, 77 cannot run here (not root, or a package missing).
set -euo pipefail

usage() { echo "usage: $0 up DIR [--watch PID [--remove-after PATH]] | env DIR | down DIR" >&2; exit 1; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
[ "$cmd" != up ] || mkdir -p "$dir"
[ -d "$dir" ] || { echo "cluster: no directory $dir" >&2; exit 1; }
dir=$(cd "$dir" && pwd)
conf=$dir/etc/slurm.conf

log() { echo "cluster: $*" >&2; }

# The daemon whose pid file is $1, if that pid still runs a program named $2.
daemon_pid() {
  local pidfile=$1 name=$2 pid
  [ -s "$pidfile" ] || return 1
  pid=$(tr -dc '0-9' < "$pidfile")
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  echo "$pid"
}

stop_pids() {  # stop_pids NAME:PID...: SIGTERM to all, up to 10 s, then SIGKILL to what is left
  local np i left
  for np in "$@"; do kill -TERM "${np#*:}" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    left=()
    for np in "$@"; do
      [ "$(cat "/proc/${np#*:}/comm" 2>/dev/null)" = "${np%%:*}" ] && left+=("$np")
    done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  for np in "${left[@]}"; do
    log "${np%%:*} (${np#*:}) ignored SIGTERM for 10 s; SIGKILL"
    kill -KILL "${np#*:}" 2>/dev/null || true
  done
}

# Processes of jobs that ran on this cluster: started by its slurmd (SLURM_JOB_ID is set) with the
# SLURM_CONF=$conf they inherited from sbatch.
job_processes() {
  local p env
  for p in /proc/[0-9]*; do
    case ${p#/proc/} in "$$" | "$PPID") continue ;; esac
    env=$({ tr '\0' '\n' < "$p/environ"; } 2>/dev/null) || continue
    if grep -qxF "SLURM_CONF=$conf" <<<"$env" && grep -q '^SLURM_JOB_ID=' <<<"$env"; then
      echo "${p#/proc/}"
    fi
  done
}

down() {
  local pid i
  if pid=$(daemon_pid "$dir/run/slurmctld.pid" slurmctld); then
    # Cancel every job (of any user) first, so that the job step daemons end with their jobs.
    SLURM_CONF=$conf timeout 10 scancel --quiet --partition=local 2>/dev/null || true
    for i in $(seq 1 50); do
      [ -z "$(SLURM_CONF=$conf timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  local slurm=()
  if pid=$(daemon_pid "$dir/run/slurmd.pid" slurmd); then slurm+=("slurmd:$pid"); fi
  if pid=$(daemon_pid "$dir/run/slurmctld.pid" slurmctld); then slurm+=("slurmctld:$pid"); fi
  [ ${#slurm[@]} -eq 0 ] || stop_pids "${slurm[@]}"
  # Anything a job started that outlived its step daemon (it carries our SLURM_CONF).
  for pid in $(job_processes); do kill -KILL "$pid" 2>/dev/null || true; done
  if pid=$(daemon_pid "$dir/munge/munged.pid" munged); then stop_pids "munged:$pid"; fi
  # The watchdog (unless this is the watchdog's own `down`: it is then this script's parent).
  if pid=$(daemon_pid "$dir/run/watchdog.pid" bash) && [ "$pid" != "$PPID" ]; then
    kill -TERM "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/run/"*.pid "$dir/munge/munged.pid"
}

# A free TCP port on 127.0.0.1 at or above $1 (nothing answers a connection to it).
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

up() {
  local watch="" remove=""
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || usage
    case $1 in
      --watch) watch=$2; shift 2 ;;
      --remove-after) remove=$(cd "$2" && pwd); shift 2 ;;
      *) usage ;;
    esac
  done
  case $dir/ in
    "$remove"/*) ;;
    *) [ -z "$remove" ] || { log "--remove-after $remove must be a directory holding $dir"; exit 1; } ;;
  esac
  if [ "$(id -u)" -ne 0 ]; then
    log "needs root: slurmd runs jobs as their users and munged runs as user munge"; exit 77
  fi
  local prog
  for prog in munged munge unmunge slurmctld slurmd sbatch scontrol squeue scancel sinfo runuser setsid; do
    if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
      log "$prog is missing (Debian packages: munge slurmctld slurmd slurm-client; scripts/setup installs them)"
      exit 77
    fi
  done
  if ! id munge >/dev/null 2>&1; then log "no user munge (is the munge package installed?)"; exit 77; fi
  export PATH=$PATH:/usr/sbin
  if daemon_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null; then
    log "a cluster already runs in $dir; '$0 down $dir' first"; exit 1
  fi
  trap 'log "bring-up failed; logs in $dir/log"; down; exit 1' ERR

  # munged runs as user munge, which must reach its socket, key and logs through $dir.
  chmod 755 "$dir"
  mkdir -p "$dir/munge" "$dir/etc" "$dir/state" "$dir/spool" "$dir/log" "$dir/run" "$dir/tmp"
  chown munge:munge "$dir/munge"
  chmod 711 "$dir/munge"
  if [ ! -s "$dir/munge/munge.key" ]; then
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chown munge:munge "$dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
  fi
  # munged wants its socket directory owned by munge, writable by nobody else and searchable by
  # everyone (0711): clients running as any user connect to the socket. SLURM reads the socket
  # path from AuthInfo below, clients included.
  runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" --num-threads=2
  local i
  for i in $(seq 1 50); do
    [ -S "$dir/munge/munge.socket" ] && break
    sleep 0.1
  done
  munge -n -S "$dir/munge/munge.socket" | unmunge -S "$dir/munge/munge.socket" >/dev/null

  # The node as slurmd sees it (CPUs, sockets, cores, threads, memory); the name is fixed so that
  # `slurmd -N` and the configuration agree whatever the host is called.
  local node=escapade-node hw host
  host=$(uname -n)
  host=${host%%.*}
  hw=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]* //' -e 's/ UpTime=.*//')
  local ctld_port slurmd_port
  ctld_port=$(free_port $((20000 + $$ % 20000)))
  slurmd_port=$(free_port $((ctld_port + 1)))
  # cons_tres without memory as a resource (CR_Core): jobs need not ask for memory.
  # proctrack/linuxproc and task/none: no cgroups (containers rarely delegate them).
  # cred_expire also sets how long a requeued job waits before it may start again (default 120 s),
  # and sched_interval how often pending jobs are looked at (default 60 s): both short for tests.
  cat > "$conf" <<EOF
# A one-node cluster on localhost written by tests/slurm/cluster.sh; everything under $dir.
ClusterName=escapade
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=5
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
TmpFS=$dir/tmp
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
MpiDefault=${ESCAPADE_SLURM_MPI_DEFAULT:-pmix}
ReturnToService=2
MinJobAge=600
KillWait=10
MessageTimeout=20
SlurmdTimeout=60
InactiveLimit=0
MailProg=/bin/true
NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  mkdir -p "$dir/spool/$node"
  slurmctld -f "$conf"
  slurmd -f "$conf" -N "$node"
  export SLURM_CONF=$conf
  local state=""
  for i in $(seq 1 150); do
    state=$(timeout 5 sinfo -h -N -o %T 2>/dev/null || true)
    case $state in idle*) break ;; esac
    sleep 0.2
  done
  case $state in
    idle*) ;;
    *) log "the node did not become idle within 30 s (state '$state')"; false ;;
  esac
  trap - ERR
  if [ -n "$watch" ]; then
    # Detached from the caller's process group, so it outlives a killed test and then cleans up.
    env -u SLURM_CONF setsid bash -c 'echo $$ > "$1/run/watchdog.pid"
      while kill -0 "$2" 2>/dev/null; do sleep 1; done
      "$3" down "$1"
      if [ -n "$4" ]; then rm -rf "$4"; fi' watchdog "$dir" "$watch" \
      "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$remove" </dev/null >>"$dir/log/watchdog.log" 2>&1 &
  fi
  log "up: node $node ($hw), slurmctld port $ctld_port, slurmd port $slurmd_port, MpiDefault=$(sed -n 's/^MpiDefault=//p' "$conf")"
  log "clients: export SLURM_CONF=$conf"
}

case $cmd in
  up) up "$@" ;;
  env) echo "export SLURM_CONF=$conf PATH=\$PATH:/usr/sbin" ;;
  down) down; log "down: $dir" ;;
  *) usage ;;
esac
