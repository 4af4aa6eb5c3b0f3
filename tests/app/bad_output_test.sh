#!/usr/bin/env bash
# Output trouble and odd rank counts (issue 5, "Bad input"): a full disk (a small tmpfs, where
# mounting is allowed; a file-size limit cannot stand in for it, since MPI's own start-up files
# exceed any limit small enough), leftovers of an interrupted write, a damaged record, and many
# more ranks than trials. Each failure must say what and where, exit non-zero, and lose
# nothing: resuming afterwards gives the uninterrupted run's summary.csv and trials.bin.
# Usage: bad_output_test.sh ESCAPADE JOB
set -uo pipefail
bin=$1 job=$2
work=$(mktemp -d /tmp/escapade-badout.XXXXXX)
mnt=""
cleanup() { [ -n "$mnt" ] && umount "$mnt" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export OMPI_MCA_orte_tmpdir_base=$work/ompi OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
status=0
fail() { echo "FAIL: $*"; status=1; }
same() {
  for f in summary.csv trials.bin; do
    cmp -s "$work/ref/$f" "$1/$f" || fail "$2: $f differs from the uninterrupted run"
  done
}
"$bin" run "$job" --out "$work/ref" --progress none >/dev/null 2>&1 || { echo "FAIL: reference run"; exit 1; }

# 1. A full disk, where this machine lets us mount a small tmpfs: once mid-run (the journal fills
#    it), once at the finish (trials.bin does not fit beside the journal).
if mkdir -p "$work/mnt" && mount -t tmpfs -o size=48k tmpfs "$work/mnt" 2>/dev/null; then
  mnt=$work/mnt
  for size in 48k 120k; do
    mount -o remount,size=$size "$mnt"
    rm -rf "${mnt:?}"/*
    mpirun -n 2 "$bin" run "$job" --out "$mnt/r" --progress none >/dev/null 2>"$work/full.err"
    rc=$?
    [ "$rc" -ne 0 ] || fail "a run on a full disk ($size) exited 0"
    grep -q "No space left on device" "$work/full.err" || fail "full disk ($size) message: $(cat "$work/full.err")"
    grep -q "$mnt/r" "$work/full.err" || fail "full disk ($size): the message does not name the file: $(cat "$work/full.err")"
    cp -r "$mnt/r" "$work/full-$size"
    "$bin" run "$job" --out "$work/full-$size" --progress none >/dev/null 2>"$work/full.err" \
      || fail "resume after a full disk ($size): $(cat "$work/full.err")"
    same "$work/full-$size" "after a full disk ($size)"
  done
else
  echo "note: cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): the full-disk case is skipped"
fi

# 2. Leftovers of an interrupted write (temporary files of atomic writes) do not disturb a resume.
cp -r "$work/ref" "$work/left"
rm "$work/left/summary.csv"
head -c 1000 "$work/ref/trials.bin" > "$work/left/trials.bin.tmp"
echo "config,trun" > "$work/left/summary.csv.tmp"
"$bin" run "$job" --out "$work/left" --progress none >/dev/null 2>"$work/left.err" || fail "resume beside leftovers: $(cat "$work/left.err")"
same "$work/left" "beside leftovers of an interrupted write"
# A damaged record inside trials.bin is found, and the run says so instead of using it.
cp -r "$work/ref" "$work/dmg"
printf '\xff' | dd of="$work/dmg/trials.bin" bs=1 seek=$((16 + 48 * 5 + 20)) conv=notrunc status=none
"$bin" run "$job" --out "$work/dmg" --progress none >/dev/null 2>"$work/dmg.err"
rc=$?
if [ "$rc" -eq 0 ]; then same "$work/dmg" "after a damaged record (rerun)"; else
  grep -q "trials.bin" "$work/dmg.err" || fail "damaged trials.bin: unclear message: $(cat "$work/dmg.err")"; fi

# 3. Many more ranks than trials, and a single rank.
sed 's/^trials = .*/trials = 2/; s/^a = .*/a = 1.0/' "$job" > "$work/two.toml"
"$bin" run "$work/two.toml" --out "$work/two-plain" --progress none >/dev/null 2>&1 || fail "2-trial plain run"
mpirun -n 7 "$bin" run "$work/two.toml" --out "$work/two-7" --progress none >/dev/null 2>"$work/two.err" \
  || fail "7 ranks for 2 trials: $(cat "$work/two.err")"
cmp -s "$work/two-plain/summary.csv" "$work/two-7/summary.csv" || fail "7 ranks for 2 trials: summary differs"
mpirun -n 1 "$bin" run "$work/two.toml" --out "$work/two-1" --progress none >/dev/null 2>&1 || fail "mpirun -n 1"
cmp -s "$work/two-plain/summary.csv" "$work/two-1/summary.csv" || fail "1 rank: summary differs"

[ $status -eq 0 ] && echo "full disk, leftovers, damaged records and odd rank counts: clear errors, nothing lost"
exit $status
