#!/bin/bash
# test_sweep_fpga.sh - `spattn sweep --fpga xcup` end to end (docs/sweep.md
# "FPGA resources"): a one-point sweep of rtl/fpga/sweep-tiny.yaml at
# hardware D = 8 gets the FPGA columns, equal to the summed line of
# rtl/fpga/xilinx_resources.sh -H on the same config; without them its
# sweep.csv is the one a run without --fpga writes; a run resumes from a
# shard's journal without mapping again; the refusals (family,
# --fpga-d alone, no yosys, a point the RTL cannot build) exit 2 and leave
# nothing. Minutes (Yosys maps every unit of the tiny top twice: once for
# the sweep, once for the reference line). Not part of `make test`.
# Run from the project root: SPATTN=build/spattn tests/test_sweep_fpga.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
CFG=rtl/fpga/sweep-tiny.yaml
TRACE=synth:layers=1,heads=1,d=8,len=16,seed=1
TD=$(mktemp -d /tmp/spattn-test-fpga.XXXXXX)
trap 'rm -rf "$TD"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
command -v "${YOSYS:-yosys}" >/dev/null 2>&1 || { echo "test-sweep-fpga: SKIP: no yosys"; exit 0; }

# refusals: exit 2, one line, no output directory, no work directory
refuse() { # NAME EXPECTED-TEXT ARGS...
    local name=$1 want=$2; shift 2
    "$BIN" sweep -c $CFG -t $TRACE -o "$TD/r" --no-plots "$@" >"$TD/r.out" 2>&1; local rc=$?
    if [ $rc != 2 ] || ! grep -q -- "$want" "$TD/r.out" || [ "$(wc -l <"$TD/r.out")" != 1 ] ||
        [ -e "$TD/r" ] || [ -e "$TD/r.spattn-sweep-work" ]; then
        bad "$name: exit $rc, '$(cat "$TD/r.out")'"
    else ok; fi
}
refuse family "the family mapped is xcup" --fpga xc7
refuse d-alone "--fpga-d needs --fpga" --fpga-d 8
refuse d-range "--fpga-d must be" --fpga xcup --fpga-d 0
YOSYS=/nonexistent/yosys refuse no-yosys "/nonexistent/yosys not found" --fpga xcup --fpga-d 8
refuse rtl-params "$CFG:6: sweep point 0: --fpga: hardware.k_sram_bytes 768 holds only 8 keys" --fpga xcup

# the sweep with and without the columns
"$BIN" sweep -c $CFG -t $TRACE -o "$TD/plain" --no-plots >"$TD/plain.out" 2>&1 ||
    { echo "FAIL: plain sweep: $(cat "$TD/plain.out")"; exit 1; }
# the point is mapped by a shard (its journal stays); the whole run then
# resumes from that journal and maps nothing
t0=$(date +%s)
"$BIN" sweep -c $CFG -t $TRACE -o "$TD/f" --no-plots --fpga xcup --fpga-d 8 --shard 0/1 >"$TD/s.out" 2>&1 ||
    { echo "FAIL: --fpga shard: $(cat "$TD/s.out")"; exit 1; }
t1=$(date +%s)
cp -r "$TD/f.spattn-sweep-work" "$TD/k.spattn-sweep-work"
"$BIN" sweep -c $CFG -t $TRACE -o "$TD/f" --no-plots --fpga xcup --fpga-d 8 >"$TD/f.out" 2>&1 ||
    { echo "FAIL: --fpga sweep: $(cat "$TD/f.out")"; exit 1; }
t2=$(date +%s)
grep -q "1 points, 1 resumed from the journal" "$TD/f.out" && ok || bad "not resumed: $(cat "$TD/f.out")"
[ $((t2 - t1)) -lt 10 ] && ok || bad "the resumed run took $((t2 - t1)) s: mapped again?"
[ -e "$TD/f.spattn-sweep-work" ] && bad "work directory left after the --fpga sweep" || ok
hdr=$(head -1 "$TD/f/sweep.csv")
case "$hdr" in
    *,fpga_lut,fpga_lutram,fpga_srl,fpga_ff,fpga_dsp,fpga_bram36,fpga_bram18,fpga_uram,pareto_cycles_energy,pareto_energy_err) ok ;;
    *) bad "header: $hdr" ;;
esac
# sweep.csv less the 8 FPGA columns is the plain run's
awk -F, -v OFS=, '{ n = 0; for (i = 1; i <= NF; i++) { if ($i ~ /^fpga_/) c[i] = 1; if (!(i in c)) f[++n] = $i }
                    s = f[1]; for (i = 2; i <= n; i++) s = s OFS f[i]; print s }' "$TD/f/sweep.csv" >"$TD/f-less.csv"
cmp -s "$TD/f-less.csv" "$TD/plain/sweep.csv" && ok || bad "sweep.csv without the FPGA columns differs from the plain run's"
grep -q '"fpga"' "$TD/f/sweep.json" && ok || bad "no fpga object in sweep.json"
grep -q '"fpga"' "$TD/plain/sweep.json" && bad "fpga object in the plain sweep.json" || ok

# the columns are the script's summed line on the same config
rtl/fpga/xilinx_resources.sh -H -X topk=-fastabc -d 8 -n tiny -w "$TD/xr" rtl/fpga/tiny.yaml >"$TD/xr.csv" 2>"$TD/xr.err" ||
    { echo "FAIL: xilinx_resources.sh: $(tail -3 "$TD/xr.err")"; exit 1; }
want=$(tail -1 "$TD/xr.csv" | awk -F, '{ print $17","$18","$19","$20","$23","$24","$25","$26 }')
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fpga_lut") c = i } NR == 2 { print $c","$(c+1)","$(c+2)","$(c+3)","$(c+4)","$(c+5)","$(c+6)","$(c+7) }' "$TD/f/sweep.csv")
[ "$got" = "$want" ] && ok || bad "FPGA columns $got, the script's line $want"
echo "$got" | grep -Eq '^[1-9][0-9]*,' && ok || bad "no LUTs: $got"

# a journal of the --fpga sweep is refused by a run without --fpga
"$BIN" sweep -c $CFG -t $TRACE -o "$TD/k" --no-plots >"$TD/k.out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "written by a different sweep" "$TD/k.out" && ok || bad "plain run on an --fpga journal: exit $rc, $(cat "$TD/k.out")"

if [ $fails -gt 0 ]; then
    echo "test-sweep-fpga: $fails of $checks checks FAILED"
    exit 1
fi
echo "test-sweep-fpga: PASS ($checks checks; mapping the point took $((t1 - t0)) s)"
