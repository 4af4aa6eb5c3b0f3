#!/usr/bin/env bash
# Resume, crash safety and extension (issue 5): every path below must end in summary.csv and
# trials.bin byte-identical to those of one uninterrupted run.
#   1. kill -9 at random moments (plain and under mpirun), resuming each time;
#   2. SIGTERM (plain) and SIGUSR1 (mpirun forwards it): a clean stop, exit code 3, then resume;
#   3. extension: fewer trials / a shorter max_steps first, then the full job on the same directory;
#   4. --shard 0/2 and 1/2 into DIR/part-*, then escapade merge DIR.
# Usage: resume_test.sh ESCAPADE JOB
set -uo pipefail
bin=$1 job=$2
work=$(mktemp -d /tmp/escapade-resume.XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMPI_MCA_orte_tmpdir_base=$work/ompi OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
status=0
fail() { echo "FAIL: $*"; status=1; }
started() {  # started DIR: wait (up to 60 s) until the run in DIR has begun its trials
  for _ in $(seq 600); do [ -s "$1/progress.json" ] && return 0; sleep 0.1; done
  return 1
}
same() {  # same DIR WHAT: DIR's outputs equal the uninterrupted run's
  for f in summary.csv trials.bin; do
    cmp -s "$work/ref/$f" "$1/$f" || fail "$2: $f differs from the uninterrupted run"
  done
  [ -e "$1/trials.journal" ] && fail "$2: the journal was left behind"
  return 0
}
RANDOM=20261123  # the kill moments are reproducible

"$bin" run "$job" --out "$work/ref" --progress none >/dev/null 2>&1 || { echo "FAIL: reference run"; exit 1; }

# 1. kill -9 at random moments, alternating a plain run and mpirun -n 2 (its whole process group).
kills=0
for i in 1 2 3 4 5 6; do
  delay=$(printf '0.%03d' $((200 + RANDOM % 800)))
  if [ $((i % 2)) -eq 1 ]; then
    setsid "$bin" run "$job" --out "$work/k" --progress none >/dev/null 2>"$work/k.err" &
  else
    setsid mpirun -n 2 --oversubscribe "$bin" run "$job" --out "$work/k" --progress none >/dev/null 2>"$work/k.err" &
  fi
  pid=$!
  sleep "$delay"
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 -- "-$pid" 2>/dev/null && kills=$((kills + 1))
  fi
  wait "$pid" 2>/dev/null
  # Killed ranks may outlive mpirun for a moment: wait until none holds the directory's lock.
  for _ in $(seq 100); do [ ! -e "$work/k/.lock" ] || flock -n "$work/k/.lock" true && break; sleep 0.1; done
  if [ -d "$work/k" ]; then
    "$bin" status "$work/k" > "$work/status.txt" 2>&1 || fail "status after kill $i: $(cat "$work/status.txt")"
    grep -q "^done: " "$work/status.txt" || fail "status shows no progress: $(cat "$work/status.txt")"
  fi
done
[ "$kills" -ge 3 ] || fail "only $kills of 6 runs were still running when killed (make the job longer)"
had_job=no; [ -s "$work/k/job.toml" ] && had_job=yes
"$bin" run "$job" --out "$work/k" --progress none > "$work/k.out" 2>"$work/k.err" || fail "resume after kill -9: $(cat "$work/k.err")"
[ $had_job = no ] || grep -q "resuming" "$work/k.err" || fail "the final run did not resume: $(cat "$work/k.err")"
same "$work/k" "after $kills kill -9 and resumes"

# 2. A clean stop by SIGTERM (plain) and SIGUSR1 (through mpirun), then resume.
"$bin" run "$job" --out "$work/t" --progress none >/dev/null 2>"$work/t.err" &
pid=$!
started "$work/t" || fail "the run did not start"
sleep 0.5
kill -TERM "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 3 ] || fail "SIGTERM: exit code $rc, expected 3; $(cat "$work/t.err")"
grep -q "stopped by .*run the same command again to resume" "$work/t.err" || fail "SIGTERM message: $(cat "$work/t.err")"
grep -q '"state": "stopped"' "$work/t/progress.json" || fail "progress.json after SIGTERM: $(cat "$work/t/progress.json")"
"$bin" status "$work/t" | grep -q "^state: stopped" || fail "status after SIGTERM: $("$bin" status "$work/t")"
rm -f "$work/t/progress.json"
mpirun -n 2 --oversubscribe "$bin" run "$job" --out "$work/t" --progress none >/dev/null 2>"$work/t.err" &
pid=$!
started "$work/t" || fail "the mpirun run did not start"
sleep 0.5
kill -USR1 "$pid"
wait "$pid"; rc=$?
[ "$rc" -eq 3 ] || [ "$rc" -eq 0 ] || fail "SIGUSR1 under mpirun: exit code $rc, expected 3; $(cat "$work/t.err")"
[ "$rc" -eq 3 ] || echo "note: the mpirun run finished before SIGUSR1 arrived"
"$bin" run "$job" --out "$work/t" --progress none >/dev/null 2>"$work/t.err" || fail "resume after a stop: $(cat "$work/t.err")"
same "$work/t" "after SIGTERM and SIGUSR1 stops"
"$bin" status "$work/t" | grep -q "^state: finished" || fail "status of a finished run: $("$bin" status "$work/t")"

# 2b. A signal after the trials, while reference solves are still going (many configurations,
#     instant trials): either the run stops (exit 3) and resumes, or it finishes; never a summary
#     with reference columns missing.
cat > "$work/late.toml" <<'TOML'
[job]
name = "late"
seed = 2
trials = 2
max_steps = 1000
[landscape]
kind = "kramers_well"
a = { linspace = [1.0, 9.0, 60] }
b = 1.0
barrier = 1.0
[dynamics]
lr = 0.001
[noise]
kind = "isotropic"
sigma = 20.0
[escape]
kind = "barrier"
TOML
"$bin" run "$work/late.toml" --out "$work/late-ref" --progress none >/dev/null 2>&1 || fail "late: reference run"
"$bin" run "$work/late.toml" --out "$work/late" --progress none >/dev/null 2>"$work/late.err" &
pid=$!
started "$work/late"
sleep 0.3
kill -TERM "$pid" 2>/dev/null
wait "$pid"; rc=$?
if [ "$rc" -eq 3 ]; then
  "$bin" run "$work/late.toml" --out "$work/late" --progress none >/dev/null 2>&1 || fail "late: resume"
elif [ "$rc" -ne 0 ]; then
  fail "late signal: exit code $rc; $(cat "$work/late.err")"
fi
cmp -s "$work/late-ref/summary.csv" "$work/late/summary.csv" || fail "late signal (exit $rc): summary differs"

# 3. Extension: a third of the trials and a fifth of max_steps first, then the full job.
ntrials=$(sed -n 's/^trials = //p' "$job")
sed "s/^trials = .*/trials = $((ntrials / 3))/; s/^max_steps = .*/max_steps = 50_000/" "$job" > "$work/small.toml"
"$bin" run "$work/small.toml" --out "$work/e" --progress none >/dev/null 2>"$work/e.err" || fail "small run: $(cat "$work/e.err")"
"$bin" run "$job" --out "$work/e" --progress none >/dev/null 2>"$work/e.err" || fail "extension: $(cat "$work/e.err")"
grep -q "extending max_steps from 50000 to .*extending trials" "$work/e.err" || fail "extension message: $(cat "$work/e.err")"
same "$work/e" "after extending trials and max_steps"
# Shrinking is refused, naming the key, and leaves the results alone.
"$bin" run "$work/small.toml" --out "$work/e" --progress none >/dev/null 2>"$work/e.err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "job.trials" "$work/e.err" || fail "shrinking trials: exit $rc, $(cat "$work/e.err")"
same "$work/e" "after a refused shrink"

# 4. Shards and merge.
for i in 0 1; do
  "$bin" run "$job" --out "$work/m/part-$i" --shard "$i/2" --progress none >/dev/null 2>"$work/m.err" \
    || fail "shard $i/2: $(cat "$work/m.err")"
done
"$bin" merge "$work/m" >/dev/null 2>"$work/m.err" || fail "merge: $(cat "$work/m.err")"
same "$work/m" "merged from 2 shards"

[ $status -eq 0 ] && echo "resume, kill -9, SIGTERM/SIGUSR1 stops, extension and merge all equal one uninterrupted run ($kills kills)"
exit $status
