#!/usr/bin/env bash
# The same job at 1, 2 and 3 ranks (and without mpirun) gives byte-identical summary.csv and raw
# output. Usage: ranks_test.sh ESCAPADE JOB
set -euo pipefail
bin=$1 job=$2
work=$(mktemp -d /tmp/escapade-ranks.XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMPI_MCA_orte_tmpdir_base=$work/ompi OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

"$bin" run "$job" --out "$work/plain" --progress-interval 1 >/dev/null
for n in 1 2 3; do
  mpirun -n "$n" --oversubscribe "$bin" run "$job" --out "$work/r$n" --max-chunk 7 >/dev/null
done
status=0
for n in 1 2 3; do
  for f in summary.csv trials.bin; do
    if ! cmp -s "$work/plain/$f" "$work/r$n/$f"; then
      echo "FAIL: $f differs between a plain run and $n rank(s)"; status=1
    fi
  done
done
"$bin" export "$work/r3" > "$work/r3.csv"
lines=$(wc -l < "$work/r3.csv")
[ "$lines" -eq 901 ] || { echo "FAIL: export gave $lines lines, expected 901"; status=1; }
grep -q censored "$work/r3.csv" || { echo "FAIL: the job should censor some trials"; status=1; }
grep -q escaped "$work/r3.csv" || { echo "FAIL: the job should have escapes"; status=1; }
[ $status -eq 0 ] && echo "summary.csv and trials.bin identical at 1, 2, 3 ranks and without mpirun"
exit $status
