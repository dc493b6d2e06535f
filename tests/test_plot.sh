#!/bin/bash
# test_plot.sh - `spattn plot DIR` end to end: every plot of a tensor-trace
# sweep drawn, extra and missing columns tolerated (area, accuracy),
# hostile trace and axis names never reach gnuplot as code, nothing written
# over a file spattn did not write, the marker lists the new files, bad
# input refused with exit status 2, same bytes on a second drawing; a
# closed-loop accuracy.csv used for the accuracy front, a mismatched one
# refused with its file and line.
# Run from the project root: SPATTN=build/spattn tests/test_plot.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$PWD
TD=$(mktemp -d /tmp/spattn-test-plot.XXXXXX)
trap 'rm -rf "$TD"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }
sp() { "$BIN" "$@" >"$TD/out.txt" 2>"$TD/err.txt"; rc=$?; }
png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
have_gnuplot=1
command -v gnuplot >/dev/null || have_gnuplot=0

cat >"$TD/s2.yaml" <<EOF
include: $ROOT/configs/paper.yaml
sweep:
  axes:
    - key: algorithm.token_keep
      values: [0.5, 1.0]
    - key: algorithm.value_keep
      values: [0.2, 1.0]
    - key: hardware.qk_multipliers
      values: [256, 512]
EOF
# a trace file whose name would be gnuplot code if it were pasted into a script
cd "$TD" || exit 1
HOSTILE='t"`touch pwned1`'"'"';system("touch pwned2");$x\.safetensors'
sp trace gen synth:mode=decode,layers=2,heads=2,d=32,len=64,iters=2,seed=3 -o "$HOSTILE"
check "trace gen (rc $rc)" [ "$rc" = 0 ]
sp sweep -c s2.yaml -t "$HOSTILE" -o sw --no-plots
check "sweep (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
# a hostile axis name and an extra column in the header, as another
# version's sweep.csv may have (columns are found by name)
sed -i '1s/algorithm\.value_keep/v"`touch pwned3`;system("touch pwned4")/; 1s/$/,extra_col/; 2,$s/$/,7/' sw/sweep.csv
# and no area column, as an older sweep.csv: the area front is skipped
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "area_total_mm2") drop = i }
    { if (drop) { for (i = drop; i < NF; i++) $i = $(i + 1); NF-- } print }' sw/sweep.csv >sw/sweep.csv.new &&
    mv sw/sweep.csv.new sw/sweep.csv
sp plot sw
check "plot (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
if [ $have_gnuplot = 1 ]; then
    for p in front_energy_cycles front_error_energy lines_cycles lines_energy lines_error heat_cycles heat_energy heat_error; do
        check "$p.png drawn" png_ok "sw/$p.png"
        check "$p.svg drawn" grep -q '</svg>' "sw/$p.svg"
        check "$p in the marker" grep -qx "$p.png" sw/.spattn-output
    done
    check "no area plot without an area column" [ ! -e sw/front_area_cycles.png ]
    check "the skip is said" grep -q "area vs cycles not drawn" out.txt
    check "legend names the hostile key as text" grep -q 'pwned3' sw/front_energy_cycles.svg
fi
no_pwned() { for f in pwned1 pwned2 pwned3 pwned4; do [ ! -e "$1/$f" ] || return 1; done; }
check "no hostile name was run" no_pwned .
check "no hostile name was run (in the sweep directory)" no_pwned sw
check "data in the marker" grep -qx plot_points.dat sw/.spattn-output
cp sw/plot_points.dat p1.dat
sp plot sw
check "second drawing (rc $rc)" [ "$rc" = 0 ]
check "same data bytes" cmp -s p1.dat sw/plot_points.dat
# an area column (as a newer sweep.csv has) draws the area front
sed -i '1s/$/,area_total_mm2/; 2,$s/$/,18.5/' sw/sweep.csv
sp plot sw
if [ $have_gnuplot = 1 ]; then check "area front drawn" png_ok sw/front_area_cycles.png; fi
# a closed-loop accuracy.csv (eval/minilm_eval.py --sweep writes it; here by
# hand): the accuracy-vs-energy front uses its emb_cos_mean, and says so
mkdir acc && cp sw/sweep.csv sw/sweep.json sw/.spattn-output acc/
awk -F, 'NR == 1 { print "point,emb_cos_mean,texts_count" } NR > 1 { printf "%s,%.3f,4\n", $1, 0.5 + 0.05 * $1 }' \
    sw/sweep.csv >acc/accuracy.csv
sp plot acc
check "closed-loop plot (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
check "closed loop said" grep -q "front: closed-loop emb_cos_mean from accuracy.csv" out.txt
check "closed loop in plot_vars" grep -qx "acc_closed = 1" acc/plot_vars.gp
check "points data: emb_cos_mean" [ "$(awk '!/^#/ { printf "%s ", $5 }' acc/plot_points.dat)" = "0.5 0.55 0.6 0.65 0.7 0.75 0.8 0.85 " ]
if [ $have_gnuplot = 1 ]; then check "closed-loop axis" grep -q "closed loop: embedding cosine to float" acc/front_error_energy.svg; fi
check "open loop otherwise" grep -qx "acc_closed = 0" sw/plot_vars.gp
sed -i '2s/^0,/9,/' acc/accuracy.csv
rm acc/plot_points.dat
sp plot acc
check "mismatched accuracy.csv refused (rc $rc)" [ "$rc" = 2 ]
check "mismatch: file and line" grep -q "acc/accuracy.csv:2: point '9', but row 1 of sweep.csv is point 0" err.txt
check "mismatch: one line" [ "$(wc -l <err.txt)" = 1 ]
check "mismatch: nothing written" [ ! -e acc/plot_points.dat ]
# the output directory is left a valid spattn output: a later run replaces it
sp sweep -c s2.yaml -t "$HOSTILE" -o sw --no-plots
check "sweep replaces a redrawn directory (rc $rc: $(cat err.txt))" [ "$rc" = 0 ]
# no accuracy (a workload CSV sweep): the error plots are skipped with a note
if [ -f "${SPATTN_WORKLOADS:-$ROOT/../shared/workloads}/gpt2-small-wikitext2-pruned.csv" ]; then
    cat >"$TD/sh.yaml" <<EOF
include: $ROOT/configs/paper.yaml
sweep:
  axes:
    - key: hardware.qk_multipliers
      values: [256, 512]
EOF
    sp sweep -c sh.yaml -t "${SPATTN_WORKLOADS:-$ROOT/../shared/workloads}/gpt2-small-wikitext2-pruned.csv" -o swc --no-plots
    sp plot swc
    check "plot of a workload sweep (rc $rc)" [ "$rc" = 0 ]
    check "error plots skipped with a note" grep -q "error plots not drawn" out.txt
    check "no heat map with one axis" [ ! -e swc/heat_cycles.gp ]
fi
# refusals: exit 2, one line, nothing written
mkdir plain && cp sw/sweep.csv plain/
sp plot plain
check "no marker refused (rc $rc)" [ "$rc" = 2 ]
check "no marker: one line" [ "$(wc -l <err.txt)" = 1 ]
check "no marker: nothing written" [ "$(ls plain)" = sweep.csv ]
echo mine >sw/plot_vars.gp
sp plot sw
check "foreign file refused (rc $rc)" [ "$rc" = 2 ]
check "foreign file kept" [ "$(cat sw/plot_vars.gp)" = mine ]
check "foreign file named" grep -q "plot_vars.gp' exists and spattn did not write it" err.txt
rm sw/plot_vars.gp
ln -s sw link
sp plot link
check "link refused (rc $rc)" [ "$rc" = 2 ]
sp sweep -c s2.yaml -t "$HOSTILE" -o bad --no-plots
sed -i '3s/^[0-9]*,[^,]*,/3,zz,/' bad/sweep.csv
sp plot bad
check "bad number refused (rc $rc)" [ "$rc" = 2 ]
check "bad number: file and line" grep -q "bad/sweep.csv:3: column 'algorithm.token_keep' (a swept key): not a number" err.txt
check "bad number: nothing written" [ ! -e bad/plot_points.dat ]
sp plot nodir
check "missing dir refused (rc $rc)" [ "$rc" = 2 ]
echo "test_plot: $((checks - fails))/$checks checks passed"
[ $fails = 0 ]
