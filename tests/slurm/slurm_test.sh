#!/usr/bin/env bash
# `escapade slurm` end to end on a real one-node SLURM cluster on localhost (tests/slurm/cluster.sh).
# Usage: slurm_test.sh ESCAPADE SOURCE_DIR PART, PART one of
#   script   the generated script (no cluster): paths, #SBATCH lines, error paths, and its body
#            equal to that of the templates in jobs/slurm/
#   plain    a sweep submitted with the mpirun and the srun --mpi=pmix scripts: summary.csv and
#            trials.bin equal byte for byte those of `escapade run` without SLURM
#   array    the same sweep as `--array 2`: every part holds its block of the rows; once
#            `escapade merge` exists, the merged summary.csv equals the plain run's
#   requeue  `scancel -b --signal=USR1` (what #SBATCH --signal=B:USR1@T sends near the time limit)
#            stops the run (exit code 3), the script requeues the job, and the rerun resumes to
#            the same summary.csv
# ESCAPADE_KEEP_TEST_DIR=1 keeps the work directory (logs, results; the cluster is stopped anyway).
# Exit codes: 0 passed, 1 failed, 77 skipped: not root (the cluster needs root); the message says so.
set -uo pipefail
bin=$(realpath "$1") src=$(realpath "$2") part=$3
job=$src/tests/slurm/small.toml
long_job=$src/tests/slurm/requeue.toml
cluster_sh=$src/tests/slurm/cluster.sh

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run --shard, merge, the stop on SIGUSR1 and resume are all in place: a missing one is a failure.
wait_for() { fail "$*"; }
finish() {
  if [ "$fails" -gt 0 ]; then echo "slurm.$part: $fails check(s) failed"; exit 1; fi
  echo "slurm.$part: all checks passed"
  exit 0
}

work=$(mktemp -d /tmp/escapade-slurm.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -d "$work/cluster/run" ] && "$cluster_sh" down "$work/cluster" >/dev/null 2>&1
  if [ -n "${ESCAPADE_KEEP_TEST_DIR:-}" ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Nothing from a surrounding SLURM job or the user's sbatch defaults may leak into ours.
for v in $(compgen -e | grep -E '^(SLURM_|SBATCH_|SQUEUE_|SCANCEL_|SRUN_|SALLOC_)'); do unset "$v"; done
export OMPI_MCA_orte_tmpdir_base=$work/ompi
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

# The part of a script from the "no need to edit below" line on: the same in every script.
body() { sed -n '/^# ---- no need to edit below/,$p' "$1"; }

# ---------------------------------------------------------------------------------------------
if [ "$part" = script ]; then
  out=$("$bin" slurm "$job" --out "$work/gen" --ntasks 4 --time 1-02:00:00 --partition short 2>&1) \
    || fail "escapade slurm exited $?: $out"
  s=$work/gen/escapade.sbatch
  [ -x "$s" ] || fail "$s is missing or not executable"
  [ "$(ls "$work/gen")" = escapade.sbatch ] || fail "escapade slurm wrote more than the script: $(ls "$work/gen")"
  grep -qF "sbatch $s" <<<"$out" || fail "the output does not say how to submit: $out"
  for line in '#SBATCH --ntasks=4' '#SBATCH --nodes=1' '#SBATCH --time=1-02:00:00' '#SBATCH --partition=short' \
              "#SBATCH --output=$work/gen/slurm-%j.out" '#SBATCH --signal=B:USR1@120' '#SBATCH --requeue' \
              '#SBATCH --open-mode=append' "JOB='$job'" "OUT='$work/gen'" "ESCAPADE='$bin'" 'SHARDS=0' \
              'LAUNCHER=mpirun'; do
    grep -qxF -- "$line" "$s" || fail "the script lacks the line: $line"
  done
  grep -q '^#SBATCH --array' "$s" && fail "a plain script has #SBATCH --array"
  bash -n "$s" || fail "the script is not valid bash"
  for t in mpirun srun-pmix; do
    bash -n "$src/jobs/slurm/$t.sbatch" || fail "jobs/slurm/$t.sbatch is not valid bash"
    cmp -s <(body "$s") <(body "$src/jobs/slurm/$t.sbatch") \
      || fail "the generated script's body differs from jobs/slurm/$t.sbatch's: $(diff <(body "$s") <(body "$src/jobs/slurm/$t.sbatch") | head -20)"
  done

  "$bin" slurm "$job" --out "$work/arr" --array 3 --launcher srun --time 30 >/dev/null || fail "--array 3 refused"
  s=$work/arr/escapade.sbatch
  for line in '#SBATCH --array=0-2' "#SBATCH --output=$work/arr/slurm-%A_%a.out" 'SHARDS=3' 'LAUNCHER=srun' \
              '#SBATCH --signal=B:USR1@120' '# No --ntasks: SLURM'"'"'s default (one task per node) unless `sbatch --ntasks=N` is given.'; do
    grep -qxF -- "$line" "$s" || fail "the array script lacks the line: $line"
  done
  grep -qF 'shard=(--shard "$SLURM_ARRAY_TASK_ID/$SHARDS")' "$s" || fail "the array script does not pass --shard"
  # A short limit moves the warning to half of it.
  "$bin" slurm "$job" --out "$work/short" --time 3 >/dev/null && grep -qxF '#SBATCH --signal=B:USR1@90' "$work/short/escapade.sbatch" \
    || fail "--time 3 should give --signal=B:USR1@90"
  # Relative paths become absolute.
  (cd "$work" && "$bin" slurm "$job" --out rel >/dev/null) && grep -qxF "OUT='$work/rel'" "$work/rel/escapade.sbatch" \
    || fail "a relative --out is not made absolute"

  # Mistakes: exit code 2, a message naming the problem, nothing written.
  expect_error() {  # expect_error PATTERN args...
    local pattern=$1 o rc; shift
    o=$("$bin" slurm "$@" 2>&1); rc=$?
    [ "$rc" -eq 2 ] || fail "'escapade slurm $*' exited $rc, expected 2: $o"
    grep -qE -- "$pattern" <<<"$o" || fail "'escapade slurm $*' does not say /$pattern/: $o"
  }
  expect_error "missing\.toml.*does not exist" "$work/missing.toml" --out "$work/never"
  expect_error "--time '2h'" "$job" --out "$work/never" --time 2h
  expect_error "--time '1:99:00'" "$job" --out "$work/never" --time 1:99:00
  expect_error "--time '0'" "$job" --out "$work/never" --time 0
  expect_error "--array 4.*3 configurations" "$job" --out "$work/never" --array 4
  expect_error "launcher" "$job" --out "$work/never" --launcher mpiexec
  expect_error "--ntasks 1 is fewer than --nodes 2" "$job" --out "$work/never" --nodes 2 --ntasks 1
  expect_error "--partition" "$job" --out "$work/never" --partition 'a b'
  printf '[job]\nname = "x"\n' > "$work/bad.toml"
  expect_error "bad\.toml" "$work/bad.toml" --out "$work/never"
  [ -e "$work/never" ] && fail "a refused command created its --out directory"
  touch "$work/file"
  expect_error "not a directory" "$job" --out "$work/file"
  finish
fi

# ---------------------------------------------------------------------------------------------
# The cluster.
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm.$part: SKIPPED: the localhost SLURM cluster needs root (slurmd runs jobs as their users, munged as user munge)"
  exit 77
fi
for prog in munged slurmctld slurmd sbatch scontrol scancel squeue srun; do
  if ! command -v "$prog" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$prog" ]; then
    fail "$prog is missing: scripts/setup installs Debian's slurmctld slurmd slurm-client munge"; finish
  fi
done
export PATH=$PATH:/usr/sbin

# `escapade run` of the same job without SLURM: the summary every SLURM run must reproduce.
reference() {  # reference JOB DIR
  "$bin" run "$1" --out "$2" --progress none >/dev/null 2>"$2.err" || { fail "escapade run $1 failed: $(cat "$2.err")"; finish; }
}

bring_up() {
  if ! "$cluster_sh" up "$work/cluster" --watch $$ --remove-after "$work" >"$work/cluster-up.log" 2>&1; then
    cat "$work/cluster-up.log"
    for f in "$work"/cluster/log/*.log "$work"/cluster/munge/munged.log; do
      [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    fail "the localhost SLURM cluster did not come up"; finish
  fi
  export SLURM_CONF=$work/cluster/etc/slurm.conf
}

diagnose() {  # diagnose JOBID LOG...: what SLURM and the job said
  scontrol show job "$1" 2>&1 | grep -E 'JobId|JobState|Reason|ExitCode|Restarts' | sed 's/^/  /'
  shift
  local f
  for f in "$@"; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
  echo "--- slurmctld.log"; tail -n 15 "$work/cluster/log/slurmctld.log"
  echo "--- slurmd.log"; tail -n 15 "$work/cluster/log/slurmd.log"
}

# Job states of JOBID (one per array task), one per line.
states() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# wait_job JOBID SECONDS: until every record of the job is in a final state; 1 on timeout.
wait_job() {
  local id=$1 deadline=$((SECONDS + $2)) s
  while [ $SECONDS -lt $deadline ]; do
    s=$(states "$id")
    if [ -n "$s" ] && ! grep -qvE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)$' <<<"$s"; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

submit() {  # submit SCRIPT: sets id to the job id; 1 (and a failure) when sbatch refuses
  id=$(sbatch --parsable "$1" 2>"$work/sbatch.err") || { fail "sbatch $1: $(cat "$work/sbatch.err")"; return 1; }
  id=${id%%;*}
}

# ---------------------------------------------------------------------------------------------
if [ "$part" = plain ]; then
  bring_up
  reference "$job" "$work/ref"
  for launcher in mpirun srun; do
    out=$work/plain-$launcher
    "$bin" slurm "$job" --out "$out" --ntasks 2 --time 10 --launcher "$launcher" >/dev/null || fail "escapade slurm ($launcher)"
    submit "$out/escapade.sbatch" || continue
    if ! wait_job "$id" 120; then fail "$launcher: job $id did not finish within 120 s"; diagnose "$id" "$out"/slurm-*.out; continue; fi
    log=$out/slurm-$id.out
    if [ "$(states "$id")" != COMPLETED ]; then
      fail "$launcher: job $id ended $(states "$id")"; diagnose "$id" "$log"; continue
    fi
    for f in summary.csv trials.bin; do
      cmp -s "$work/ref/$f" "$out/$f" || { fail "$launcher: $f differs from escapade run's without SLURM"; diagnose "$id" "$log"; }
    done
    grep -q 'on 2 ranks' "$log" || fail "$launcher: the log does not show a run on 2 ranks: $(head -5 "$log")"
    grep -q '^finished: 900/900' "$log" || fail "$launcher: the log lacks escapade's final progress line"
    grep -q "^escapade.sbatch: finished: $out\$" "$log" || fail "$launcher: the log lacks the script's last line"
    echo "$launcher: job $id: summary.csv and trials.bin equal those of escapade run without SLURM"
  done
  finish
fi

# ---------------------------------------------------------------------------------------------
if [ "$part" = array ]; then
  bring_up
  reference "$job" "$work/ref"
  out=$work/array
  "$bin" slurm "$job" --out "$out" --array 2 --ntasks 1 --time 10 >/dev/null || fail "escapade slurm --array 2"
  submit "$out/escapade.sbatch" || finish
  if ! wait_job "$id" 120; then fail "array job $id did not finish within 120 s"; diagnose "$id" "$out"/slurm-*.out; finish; fi
  if [ "$(states "$id" | sort -u)" != COMPLETED ]; then
    fail "array job $id: tasks ended $(states "$id" | tr '\n' ' ')"; diagnose "$id" "$out"/slurm-*.out; finish
  fi
  for i in 0 1; do
    [ -s "$out/part-$i/summary.csv" ] || { fail "part-$i/summary.csv is missing"; diagnose "$id" "$out"/slurm-*.out; finish; }
    grep -q -- "--shard $i/2" "$out/slurm-${id}_$i.out" || fail "task $i did not run --shard $i/2"
  done
  grep -qF "when all 2 array tasks have finished: $bin merge $out" "$out/slurm-${id}_0.out" \
    || fail "the array log lacks the merge hint"
  # Each part: the header and its block of the rows of the plain run. --shard i/K runs the
  # configurations [floor(i n/K), floor((i+1) n/K)): with n = 3, K = 2, part 0 has config 0 and
  # part 1 configs 1 and 2.
  ref_rows=$(tail -n +2 "$work/ref/summary.csv")
  part_rows=$(tail -q -n +2 "$out/part-0/summary.csv" "$out/part-1/summary.csv")
  if [ "$(tail -n +2 "$out/part-0/summary.csv")" = "$ref_rows" ] && [ "$(tail -n +2 "$out/part-1/summary.csv")" = "$ref_rows" ]; then
    wait_for "escapade run --shard I/K: every part ran all 3 configurations (the option is parsed but not applied yet)"
  else
    for i in 0 1; do
      cmp -s <(head -1 "$out/part-$i/summary.csv") <(head -1 "$work/ref/summary.csv") \
        || fail "part-$i/summary.csv header differs from the plain run's"
    done
    [ "$(tail -n +2 "$out/part-0/summary.csv")" = "$(sed -n 2p "$work/ref/summary.csv")" ] \
      || fail "part-0 should hold config 0's row of the plain run: $(cat "$out/part-0/summary.csv")"
    [ "$(tail -n +2 "$out/part-1/summary.csv")" = "$(sed -n '3,4p' "$work/ref/summary.csv")" ] \
      || fail "part-1 should hold configs 1 and 2's rows of the plain run: $(cat "$out/part-1/summary.csv")"
    [ "$part_rows" = "$ref_rows" ] && echo "array job $id: the parts hold the plain run's rows, each once"
  fi
  # escapade merge DIR joins the parts into DIR, equal to a single run.
  merge_out=$("$bin" merge "$out" 2>&1); rc=$?
  if ! "$bin" merge --help >/dev/null 2>&1 || grep -q "not written yet" <<<"$merge_out"; then
    wait_for "escapade merge: '$bin merge $out' says: $merge_out"
  elif [ "$rc" -ne 0 ]; then
    fail "escapade merge $out exited $rc: $merge_out"
  else
    for f in summary.csv trials.bin; do
      cmp -s "$work/ref/$f" "$out/$f" || fail "merged $f differs from escapade run's without SLURM"
    done
    echo "array job $id: escapade merge gives the plain run's summary.csv and trials.bin"
  fi
  finish
fi

# ---------------------------------------------------------------------------------------------
if [ "$part" = requeue ]; then
  # The run's contract, checked first without SLURM: SIGUSR1 makes `escapade run` save and exit
  # with code 3, and the same command then resumes to the summary of an uninterrupted run.
  reference "$long_job" "$work/ref"
  probe=$work/probe
  "$bin" run "$long_job" --out "$probe" --progress none >"$probe.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [ -s "$probe/trials.journal" ] && break; sleep 0.1; done
  sleep 0.5
  kill -USR1 "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  contract=yes
  if [ "$rc" -ne 3 ]; then
    contract=no
    wait_for "escapade run stops on SIGUSR1 with exit code 3 (it exited $rc: $(tail -n 2 "$probe.log" | tr '\n' ' '))"
  else
    "$bin" run "$long_job" --out "$probe" --progress none >"$probe.log" 2>&1; rc=$?
    if [ "$rc" -ne 0 ] && grep -q -- "--force" "$probe.log"; then
      contract=no
      wait_for "resume: rerunning 'escapade run JOB --out DIR' on a stopped run (it exited $rc: $(tail -n 1 "$probe.log"))"
    elif [ "$rc" -ne 0 ]; then
      fail "resuming the stopped run exited $rc: $(tail -n 3 "$probe.log")"; finish
    elif ! cmp -s "$work/ref/summary.csv" "$probe/summary.csv"; then
      fail "a run stopped by SIGUSR1 and resumed gives another summary.csv than an uninterrupted run"; finish
    else
      echo "escapade run: SIGUSR1 -> exit code 3, the rerun resumes to the same summary.csv"
    fi
  fi
  [ "$contract" = yes ] || finish

  bring_up
  for launcher in mpirun srun; do
    out=$work/requeue-$launcher
    "$bin" slurm "$long_job" --out "$out" --ntasks 2 --time 10 --launcher "$launcher" >/dev/null || fail "escapade slurm"
    submit "$out/escapade.sbatch" || continue
    log=$out/slurm-$id.out
    # Signal once the run has started saving trials, as SLURM does before the time limit: -b sends
    # it to the batch shell only, like #SBATCH --signal=B:USR1@T (without -b scancel signals only
    # job steps: not the batch shell, and not escapade under mpirun, which is no step of its own).
    for _ in $(seq 1 300); do [ -s "$out/trials.journal" ] && break; sleep 0.1; done
    [ -s "$out/trials.journal" ] || { fail "$launcher: job $id did not start writing within 30 s"; diagnose "$id" "$log"; continue; }
    sleep 0.5
    scancel -b --signal=USR1 "$id" || fail "scancel -b --signal=USR1 $id"
    if ! wait_job "$id" 150; then fail "$launcher: job $id did not finish within 150 s after the signal"; diagnose "$id" "$log"; continue; fi
    before=$fails
    restarts=$(scontrol -o show job "$id" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
    grep -q "SIGUSR1 received, passed to $launcher" "$log" || fail "$launcher: the batch shell did not pass SIGUSR1 on"
    grep -q "requeueing job $id" "$log" || fail "$launcher: the script did not requeue the job"
    [ "${restarts:-0}" -ge 1 ] || fail "$launcher: job $id was not requeued (Restarts=${restarts:-?})"
    [ "$(states "$id")" = COMPLETED ] || fail "$launcher: job $id ended $(states "$id")"
    grep -q "start 2," "$log" || fail "$launcher: the log does not show the requeued start"
    grep -q "finished: $out\$" "$log" || fail "$launcher: the requeued run did not finish"
    cmp -s "$work/ref/summary.csv" "$out/summary.csv" \
      || fail "$launcher: the requeued run's summary.csv differs from escapade run's without SLURM"
    if [ "$fails" -eq "$before" ]; then
      echo "$launcher: job $id: SIGUSR1 -> exit 3 -> requeued (Restarts=$restarts) -> resumed to the same summary.csv"
    else
      diagnose "$id" "$log"
    fi
  done
  finish
fi

echo "usage: $0 ESCAPADE SOURCE_DIR script|plain|array|requeue" >&2
exit 1
