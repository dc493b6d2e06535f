#!/bin/bash
# test_eval_sweep.sh - the sweep link of the closed-loop evaluation, end to
# end (docs/eval.md "Sweeps"): a 3-point `spattn sweep` on the MiniLM trace
# prints how to get the closed-loop accuracy; `minilm_eval.py --sweep DIR`
# on 4 texts writes DIR/accuracy.csv with the sweep's point ids and lists it
# in the marker; `spattn plot DIR` then draws the accuracy-vs-energy front
# from it (data, labels, axis); refusals: a mismatched accuracy.csv, a
# synthetic trace, a sweep.json whose point values were changed, a foreign
# accuracy.csv; a later sweep still replaces the directory.
# Run from the project root (make test-api runs it):
#   SPATTN=build/spattn SPATTN_LIB=build/libspattn.so API_PY=python3 eval/test_eval_sweep.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PY=${API_PY:-python3}
case $PY in */*) case $PY in /*) ;; *) PY=$PWD/$PY ;; esac ;; esac
ROOT=$PWD
EV="$ROOT/eval/minilm_eval.py"
TD=$(mktemp -d /tmp/spattn-test-evalsweep.XXXXXX)
trap 'rm -rf "$TD"' EXIT
export SPATTN_LIB=$(realpath "${SPATTN_LIB:-build/libspattn.so}")
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
sp() { "$BIN" "$@" >"$TD/out.txt" 2>"$TD/err.txt"; rc=$?; }
ev() { "$PY" "$EV" "$@" >"$TD/out.txt" 2>"$TD/err.txt"; rc=$?; }
one_line() { [ "$(wc -l <"$TD/err.txt")" = 1 ]; }
cd "$TD" || exit 1
cp "$ROOT/traces/data/minilm-austen-encoder.safetensors" minilm.safetensors

cat >s3.yaml <<EOF
include: $ROOT/configs/paper.yaml
sweep:
  points:
    - {algorithm.token_keep: 0.5, algorithm.value_keep: 0.2}
    - {algorithm.token_keep: 1.0, algorithm.value_keep: 1.0, algorithm.head_keep: 1.0}
    - {algorithm.token_keep: 0.9, hardware.qk_multipliers: 256}
EOF
sp sweep -c s3.yaml -t minilm.safetensors -o sw --no-plots
check "sweep (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
check "sweep names the closed-loop command on stderr" grep -q "make eval-sweep DIR=sw" err.txt
ev --sweep sw --sentences 4
check "--sweep (rc $rc: $(tail -1 err.txt))" [ "$rc" = 0 ]
check "accuracy.csv header" [ "$(head -1 sw/accuracy.csv | cut -d, -f1-2)" = point,emb_cos_mean ]
check "accuracy.csv point ids = sweep.csv's" [ "$(cut -d, -f1 sw/accuracy.csv)" = "$(cut -d, -f1 sw/sweep.csv)" ]
check "accuracy.csv in the marker" grep -qx accuracy.csv sw/.spattn-output
check "4 texts, 6 pairs" [ "$(awk -F, 'NR == 2 { print $(NF - 1) "," $NF }' sw/accuracy.csv)" = 4,6 ]
# point 1 (nothing pruned) keeps the embeddings (cosine >= 0.999, as the
# smoke check of the unpruned point); point 0 (token keep 0.5) loses more
cos() { awk -F, -v p="$1" 'NR > 1 && $1 == p { print $2 }' sw/accuracy.csv; }
check "unpruned point: cosine $(cos 1) >= 0.999" awk -v c="$(cos 1)" 'BEGIN { exit !(c >= 0.999) }'
check "token keep 0.5: cosine $(cos 0) < $(cos 1)" awk -v a="$(cos 0)" -v b="$(cos 1)" 'BEGIN { exit !(a < b) }'
sp plot sw
check "plot (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
check "plot says the front is closed loop" grep -q "front: closed-loop emb_cos_mean from accuracy.csv" out.txt
check "plot_vars: acc_closed = 1" grep -qx "acc_closed = 1" sw/plot_vars.gp
check "fronts data: closed-loop y" grep -q "2 closed_loop_emb_cos_mean vs energy_uJ" sw/plot_fronts.dat
# plot_points.dat column 5 is each point's emb_cos_mean
ys=$(awk '!/^#/ { print $1 "," $5 }' sw/plot_points.dat)
want=$(awk -F, 'NR > 1 { printf "%s,%.9g\n", $1, $2 }' sw/accuracy.csv)
check "points data = accuracy.csv ($ys)" [ "$ys" = "$want" ]
# the front: point 1 (the most accurate) is on it
check "most accurate point on the front" awk 'BEGIN { b = 0 } /^$/ { b++ } b == 4 && $3 == 1 { f = 1 } END { exit !f }' sw/plot_fronts.dat
# the axis label, from plot_labels.dat (bytes in decimal, blocks by two blank lines)
lab=$("$PY" - "$(sed -n 's/^acc_label = //p' sw/plot_vars.gp)" <<'EOF'
import sys
blocks = open("sw/plot_labels.dat").read().split("\n\n\n")
body = [l for l in blocks[int(sys.argv[1])].splitlines() if l and not l.startswith("#")]
print(bytes(int(x) for x in body if int(x)).decode())
EOF
)
check "axis label names the closed-loop metric ($lab)" [ "$lab" = "closed loop: embedding cosine to float (emb_cos_mean, accuracy.csv)" ]
if command -v gnuplot >/dev/null; then
    check "front drawn" [ -s sw/front_error_energy.png ]
    check "svg axis names the metric" grep -q "closed loop: embedding cosine to float" sw/front_error_energy.svg
fi
# a mismatched accuracy.csv: error naming the file and line, nothing drawn
cp sw/accuracy.csv acc.keep
sed -i '3s/^1,/5,/' sw/accuracy.csv
rm -f sw/plot_points.dat
sp plot sw
check "mismatched ids refused (rc $rc)" [ "$rc" = 2 ]
check "mismatch: one line, file:line" grep -q "sw/accuracy.csv:3: point '5', but row 2 of sweep.csv is point 1" err.txt
check "mismatch: one line" one_line
check "mismatch: nothing written" [ ! -e sw/plot_points.dat ]
head -3 acc.keep >sw/accuracy.csv
sp plot sw
check "short accuracy.csv refused (rc $rc)" [ "$rc" = 2 ]
check "short: names the count" grep -q "sw/accuracy.csv:3: 2 points, sweep.csv has 3" err.txt
cp acc.keep sw/accuracy.csv
# without accuracy.csv the front is the open-loop error, and says so
mkdir -p open && cp sw/sweep.csv sw/sweep.json sw/.spattn-output open/
sp plot open
check "open-loop plot (rc $rc)" [ "$rc" = 0 ]
check "open loop said" grep -q "front: open-loop out_rel_err_mean" out.txt
check "plot_vars: acc_closed = 0" grep -qx "acc_closed = 0" open/plot_vars.gp
# a sweep.json whose point values were edited: the rebuilt config does not
# give the recorded outputs hash
mkdir -p edited && cp sw/sweep.csv sw/.spattn-output edited/ && rm -f edited/accuracy.csv
sed -E '0,/"algorithm.token_keep":[[:space:]]*0.5,/s//"algorithm.token_keep": 0.6,/' sw/sweep.json >edited/sweep.json
check "sweep.json edited" [ -n "$(cmp sw/sweep.json edited/sweep.json)" ]
ev --sweep edited --sentences 4
check "edited sweep.json refused (rc $rc)" [ "$rc" = 2 ]
check "edited: says why" grep -q "point 0: the rebuilt config gives outputs hash" err.txt
check "edited: nothing written" [ ! -e edited/accuracy.csv ]
# a synthetic trace names no model
sp sweep -c s3.yaml -t synth:mode=encoder,layers=2,heads=2,d=32,len=48 -o syn --no-plots
check "synthetic sweep (rc $rc)" [ "$rc" = 0 ]
check "synthetic: no closed-loop notice" [ ! -s err.txt ]
ev --sweep syn
check "synthetic trace refused (rc $rc)" [ "$rc" = 2 ]
check "synthetic: one line" one_line
check "synthetic: says why" grep -q "is synthetic and names no model" err.txt
check "synthetic: nothing written" [ ! -e syn/accuracy.csv ]
# a workload CSV has counts, no model
W=${SPATTN_WORKLOADS:-$ROOT/../shared/workloads}/gpt2-small-wikitext2-pruned.csv
if [ -f "$W" ]; then
    printf 'include: %s\nsweep:\n  axes:\n    - key: hardware.qk_multipliers\n      values: [256, 512]\n' \
        "$ROOT/configs/paper.yaml" >sh.yaml
    sp sweep -c sh.yaml -t "$W" -o wl --no-plots
    ev --sweep wl
    check "workload CSV refused (rc $rc)" [ "$rc" = 2 ]
    check "workload CSV: says why" grep -q "is a workload CSV (counts, no model)" err.txt
    check "workload CSV: one line" one_line
fi
# an accuracy.csv spattn did not write is never replaced
echo mine >syn/accuracy.csv
sp sweep -c s3.yaml -t minilm.safetensors -o fo --no-plots
echo mine >fo/accuracy.csv
ev --sweep fo --sentences 4
check "foreign accuracy.csv refused (rc $rc)" [ "$rc" = 2 ]
check "foreign accuracy.csv kept" [ "$(cat fo/accuracy.csv)" = mine ]
# the directory stays a spattn output: a later sweep replaces it
sp sweep -c s3.yaml -t minilm.safetensors -o sw --no-plots
check "a later sweep replaces the directory (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
check "and drops the old accuracy.csv" [ ! -e sw/accuracy.csv ]
echo "test_eval_sweep: $((checks - fails))/$checks checks passed"
[ $fails = 0 ]
