#!/usr/bin/env bash
# The command line end to end: check, run, export, and the error paths (exit codes, messages,
# nothing written on bad input). Usage: cli_test.sh ESCAPADE SOURCE_DIR
set -uo pipefail
bin=$1 src=$2
work=$(mktemp -d /tmp/escapade-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
export OMPI_MCA_orte_tmpdir_base=$work/ompi
mkdir -p "$OMPI_MCA_orte_tmpdir_base"
if [ "$(id -u)" -eq 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect CODE PATTERN -- command...: exit code and a pattern in stdout+stderr
expect() {
  local code=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; output: $out"
  [ -z "$pattern" ] || grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
}

for j in "$src"/jobs/*.toml; do
  expect 0 "configuration" -- "$bin" check "$j"
done
expect 0 "cost: " -- "$bin" check "$src/jobs/demo.toml"

bad() {  # bad NAME TOML: writes a job with one mistake
  printf '%s\n' "$2" > "$work/$1.toml"
}
base='[job]
name = "t"
seed = 1
trials = 5
max_steps = 1000
[dynamics]
lr = 0.01
[noise]
kind = "isotropic"
sigma = 1.0
[escape]
kind = "barrier"'
bad negative "$base
[landscape]
kind = \"kramers_well\"
a = -1.0
b = 1.0
barrier = 1.0"
expect 2 "negative.toml.*landscape\.a.*-1" -- "$bin" check "$work/negative.toml"
expect 2 "negative.toml.*landscape\.a" -- "$bin" run "$work/negative.toml" --out "$work/never"
[ -e "$work/never" ] && fail "a rejected job created its output directory"
bad unknown "$base
[landscape]
kind = \"kramers_well\"
a = 1.0
b = 1.0
barrier = 1.0
c = 2.0"
expect 2 "unknown.toml.*landscape\.c.*allowed" -- "$bin" check "$work/unknown.toml"
bad nobarrier "$base
[landscape]
kind = \"quadratic\"
eigenvalues = [1.0]"
expect 2 "escape\.kind.*ball" -- "$bin" check "$work/nobarrier.toml"
expect 1 "cannot read" -- "$bin" check "$work/missing.toml"
expect 2 "" -- "$bin" frobnicate

# A small run without mpirun, then the guard against overwriting results.
printf '%s\n' "$base
[landscape]
kind = \"kramers_well\"
a = [1.0, 4.0]
b = 1.0
barrier = 0.2" > "$work/small.toml"
expect 0 "landscape\.a" -- "$bin" run "$work/small.toml" --out "$work/out"
for f in summary.csv trials.bin manifest.json escape_time.gp; do
  [ -s "$work/out/$f" ] || fail "run did not write $f"
done
[ -e "$work/out/trials.journal" ] && fail "the journal was left behind after a finished run"
head -1 "$work/out/summary.csv" | grep -q '^config,landscape\.a,sharpness,trials,escaped,censored,diverged,mean_steps' \
  || fail "summary.csv header: $(head -1 "$work/out/summary.csv")"
[ "$(wc -l < "$work/out/summary.csv")" -eq 3 ] || fail "summary.csv should have 2 rows"
cp "$work/out/summary.csv" "$work/summary.before"
[ -s "$work/out/job.toml" ] && [ -s "$work/out/run.state" ] || fail "run did not record job.toml and run.state"
# The same job again resumes a finished run: nothing to do, the same summary.
expect 0 "resuming: 10 of 10 trials already done" -- "$bin" run "$work/small.toml" --out "$work/out"
cmp -s "$work/out/summary.csv" "$work/summary.before" || fail "resuming a finished run changed summary.csv"
# A job that would alter the results is refused, naming the key; another job too.
sed 's/^barrier = 0.2/barrier = 0.3/' "$work/small.toml" > "$work/changed.toml"
expect 2 "landscape\.barrier = 0\.2, but the job now has landscape\.barrier = 0\.3" -- \
  "$bin" run "$work/changed.toml" --out "$work/out"
sed 's/^name = .*/name = "other"/' "$work/small.toml" > "$work/other.toml"
expect 2 "another job" -- "$bin" run "$work/other.toml" --out "$work/out"
cmp -s "$work/out/summary.csv" "$work/summary.before" || fail "a refused run changed summary.csv"
mkdir -p "$work/foreign" && echo x > "$work/foreign/summary.csv"
expect 2 "already holds results.*no job.toml" -- "$bin" run "$work/small.toml" --out "$work/foreign"
expect 0 "" -- "$bin" run "$work/small.toml" --out "$work/out" --force
cmp -s "$work/out/summary.csv" "$work/summary.before" || fail "rerunning the same job changed summary.csv"
expect 0 "^config,trial,status,steps" -- "$bin" export "$work/out"
[ "$("$bin" export "$work/out" | wc -l)" -eq 11 ] || fail "export should print 10 trials and a header"
expect 1 "no raw log" -- "$bin" export "$work/nothing"
grep -q '"ranks": 1' "$work/out/manifest.json" || fail "manifest lacks ranks"

# An output directory that cannot be created (root ignores permissions, /proc does not).
expect 1 "cannot create result directory '/proc/escapade-nowhere'" -- "$bin" run "$work/small.toml" --out /proc/escapade-nowhere
# A result directory that cannot take the journal: a clear error, on one rank and on two.
mkdir -p "$work/blocked/trials.journal/x"
expect 1 "cannot remove.*trials.journal" -- "$bin" run "$work/small.toml" --out "$work/blocked" --force
if command -v mpirun >/dev/null; then
  expect 1 "cannot remove.*trials.journal" -- timeout 60 mpirun -n 2 --oversubscribe "$bin" run \
    "$work/small.toml" --out "$work/blocked" --force
fi
# A torn journal (an interrupted run) still exports, with a warning.
mkdir -p "$work/torn"
head -c $((16 + 48 * 7 + 5)) "$work/out/trials.bin" > "$work/torn/trials.journal"
expect 0 "torn record.*7 complete records" -- "$bin" export "$work/torn"

# A noise.kind sweep on a finite-sum landscape: one summary row per kind, with a noise.kind column
# and the noise-geometry columns filled where a covariance exists.
cat > "$work/kinds.toml" <<'TOML'
[job]
name = "kinds"
seed = 5
trials = 20
max_steps = 200000
[landscape]
kind = "zhu2d"
[dynamics]
lr = 0.001
[noise]
kind = ["isotropic", "hessian", "levy"]
trace = 4000.0
alpha = 1.5
epsilon = 0.5
[escape]
kind = "barrier"
TOML
expect 0 "hessian" -- "$bin" run "$work/kinds.toml" --out "$work/kinds"
head -1 "$work/kinds/summary.csv" | grep -q '^config,noise\.kind,sharpness,.*p_final_in_region,escape_along_top,escape_along_flat,trace_sigma,tr_h_sigma,tr_h_sigma_iso,alpha,reference_time,reference_error,theory_time,theory,z_reference,estimator$' \
  || fail "kind-sweep summary.csv header: $(head -1 "$work/kinds/summary.csv")"
grep -q '^2,levy,.*,1.5,' "$work/kinds/summary.csv" || fail "levy row lacks alpha: $(sed -n 4p "$work/kinds/summary.csv")"
grep -qE '^0,isotropic,.*,4000(\.[0-9]+)?,' "$work/kinds/summary.csv" || fail "isotropic row lacks trace_sigma 4000: $(sed -n 2p "$work/kinds/summary.csv")"

# References alone: `escapade reference` fills the reference and theory columns without trials,
# and the manifest says why a configuration has none (Lévy noise here).
expect 0 "" -- "$bin" reference "$work/kinds.toml" --out "$work/refs"
python3 - "$work/refs/summary.csv" <<'PY' || fail "reference summary.csv: $(cat "$work/refs/summary.csv")"
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3, rows
assert all(r["trials"] == "0" for r in rows)
assert math.isnan(float(rows[2]["reference_time"])), rows[2]  # levy: no diffusion equation
PY
grep -q 'configuration 2: Lévy noise' "$work/refs/manifest.json" || fail "manifest lacks the Lévy note"
printf '%s\n' "$base" '[landscape]' 'kind = "kramers_well"' 'a = 2.0' 'b = 1.0' 'barrier = 1.0' \
  | sed 's/sigma = 1.0/sigma = 20.0/; s/lr = 0.01/lr = 0.001/' > "$work/kref.toml"
expect 0 "" -- "$bin" reference "$work/kref.toml" --out "$work/kref"
python3 - "$work/kref/summary.csv" <<'PY' || fail "kramers reference: $(cat "$work/kref/summary.csv")"
import csv, sys
r = next(csv.DictReader(open(sys.argv[1])))
t, th = float(r["reference_time"]), float(r["theory_time"])
assert r["theory"] == "kramers" and 0.7 < th / t < 1.3, r
PY

[ $fails -eq 0 ] && echo "cli: all checks passed"
exit $((fails > 0))
