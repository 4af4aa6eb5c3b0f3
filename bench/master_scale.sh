#!/usr/bin/env bash
# Master-scale benchmark (docs/PERFORMANCE.md, "The master at scale"): runs jobs of tiny trials
# (kramers_well, max_steps = 20: ~19 steps plus the stream set-up, under 1 µs each) under mpirun
# with many ranks, more than there are cores (--oversubscribe), so that the workers produce results
# far faster than any real job would and rank 0 has to absorb them. For each run it prints, from
# DIR/manifest.json: the results rank 0 handled per second of its farm, rank 0's peak RSS, the
# farm's seconds, rank 0's wall seconds (farm + building trials.bin + statistics + outputs) and
# mpirun's wall seconds (also process start-up and MPI_Finalize). Comparing 10^6 with 10^7 trials
# shows whether the master's memory grows with the number of trials (it should not: statistics are
# streamed from the raw log on disk).
#
# Usage:
#   bench/master_scale.sh [--quick | --full] [options]
#
#   --quick            smoke check: 10^5 and 10^6 trials at 2 and 8 ranks, --max-chunk 256 (~10 s)
#   --full             the figures of docs/PERFORMANCE.md (default): 10^6 and 10^7 trials at
#                      2, 8, 32 and 64 ranks with --max-chunk 256, and 10^7 trials at 8 and 64
#                      ranks with --max-chunk 64 and 1024 (~3 min on 2 cores)
#   --ranks "R..."     rank counts (replaces the mode's)
#   --trials "N..."    total trials per job (each split over 4 configurations; replaces the mode's)
#   --chunks "C..."    --max-chunk values (replaces the mode's; every combination is run)
#   --build DIR        build directory holding the escapade executable (default: build)
#   --perf             run rank 0 under `perf record` (cpu-clock) and print the top symbols of its
#                      main thread for each run (farm and finish together; perf must be installed)
#   --keep             keep the work directory (result directories included) for inspection
#
# Environment: MPIRUN (default mpirun), MPIRUN_ARGS (extra arguments, e.g. "--bind-to none").
# Run directories live in a fresh directory under ${TMPDIR:-/tmp} and each is deleted as soon as
# its figures are read (a 10^7-trial run briefly holds ~1 GB: journal + trials.bin). Open MPI's
# session files go there too (OMPI_MCA_orte_tmpdir_base).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

mode=full ranks_opt="" trials_opt="" chunks_opt="" build=build keep=0 perf=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --ranks) ranks_opt=$2; shift ;;
    --trials) trials_opt=$2; shift ;;
    --chunks) chunks_opt=$2; shift ;;
    --build) build=$2; shift ;;
    --keep) keep=1 ;;
    --perf) perf=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "master_scale.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

case "$build" in /*) ;; *) build="$root/$build" ;; esac
exe="$build/escapade"
[ -x "$exe" ] || { echo "master_scale.sh: no executable $exe (build first: scripts/build)" >&2; exit 1; }

# Each entry: "ranks trials max_chunk".
plan=()
add_grid() {  # ranks-list trials-list chunks-list
  local r n c
  for n in $2; do for c in $3; do for r in $1; do plan+=("$r $n $c"); done; done; done
}
if [ -n "$ranks_opt$trials_opt$chunks_opt" ]; then
  if [ "$mode" = quick ]; then d_r="2 8" d_n="100000 1000000"; else d_r="2 8 32 64" d_n="1000000 10000000"; fi
  add_grid "${ranks_opt:-$d_r}" "${trials_opt:-$d_n}" "${chunks_opt:-256}"
elif [ "$mode" = quick ]; then
  add_grid "2 8" "100000 1000000" "256"
else
  add_grid "2 8 32 64" "1000000 10000000" "256"
  add_grid "8 64" "10000000" "64 1024"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/escapade-master-scale.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() { if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT
mkdir -p "$work/ompi"
# shellcheck source=/dev/null
. "$root/scripts/mpi-env"
export OMPI_MCA_orte_tmpdir_base="$work/ompi"
mpirun=${MPIRUN:-mpirun}

job_file() {  # trials-per-configuration
  cat <<EOF
# Tiny trials: ~16% escape within 20 steps, the rest are censored at step 20.
[job]
name = "master-scale"
seed = 1
trials = $1
max_steps = 20

[landscape]
kind = "kramers_well"
a = [1.0, 2.0, 4.0, 8.0]
b = 1.0
barrier = 1.0

[dynamics]
lr = 0.01

[noise]
kind = "isotropic"
sigma = 30.0

[escape]
kind = "barrier"
EOF
}

# The "run" object of a manifest: one "key": value per line.
field() { sed -n "s/^ *\"$2\": \([^,]*\),\{0,1\}$/\1/p" "$1" | head -n 1; }

echo "escapade master-scale benchmark: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $exe"
printf '%6s %10s %9s %12s %11s %9s %9s %10s\n' \
  ranks trials max_chunk "results/s" "rss_MiB" farm_s wall_s mpirun_s
status=0
for entry in "${plan[@]}"; do
  read -r ranks trials chunk <<<"$entry"
  per=$(( (trials + 3) / 4 ))
  job="$work/job-$per.toml"
  [ -f "$job" ] || job_file "$per" >"$job"
  out="$work/run"
  rm -rf "$out"
  t0=$(date +%s.%N)
  args=(run "$job" --out "$out" --force --progress none --max-chunk "$chunk")
  if [ "$perf" = 1 ]; then  # MPMD: rank 0 under perf, the others plain
    launch=(-n 1 perf record -q -e cpu-clock -F 999 -o "$work/perf.data" "$exe" "${args[@]}")
    [ "$ranks" -gt 1 ] && launch+=(: -n $((ranks - 1)) "$exe" "${args[@]}")
  else
    launch=(-n "$ranks" "$exe" "${args[@]}")
  fi
  # shellcheck disable=SC2086
  if ! "$mpirun" ${MPIRUN_ARGS:-} "${launch[@]}" >"$work/log" 2>&1; then
    echo "master_scale.sh: run failed (ranks $ranks, trials $trials, max_chunk $chunk):" >&2
    tail -n 20 "$work/log" >&2
    status=1
    continue
  fi
  t1=$(date +%s.%N)
  m="$out/manifest.json"
  printf '%6d %10d %9d %12.3g %11.1f %9.2f %9.2f %10.2f\n' "$ranks" "$(field "$m" trials_run)" "$chunk" \
    "$(field "$m" results_per_second)" "$(field "$m" master_peak_rss_mb)" "$(field "$m" farm_seconds)" \
    "$(field "$m" wall_seconds)" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
  rm -rf "$out"
  if [ "$perf" = 1 ]; then
    # Rank 0's main thread has the process's id (the samples of gnuplot and PETSc are left out).
    pid=$(perf report -i "$work/perf.data" --sort pid --stdio 2>/dev/null |
            sed -n 's/.* \([0-9]*\):escapade *$/\1/p' | head -n 1)
    perf report -i "$work/perf.data" --tid "$pid" --sort dso,symbol --stdio 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -n 12 | cut -c 1-110 | sed 's/^/        /'
    rm -f "$work/perf.data"
  fi
done
exit "$status"
