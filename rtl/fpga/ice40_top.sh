#!/bin/sh
# ice40_top.sh - the whole spattn_top through the open iCE40 flow at one
# set of parameters (the smallest the RTL builds by default): place and
# route with rtl/fpga/ice40_pnr.sh (serial-I/O wrapper, synth_ice40,
# nextpnr-ice40, icepack) and, fit or not, the cells of each unit in the
# flattened netlist (rtl/fpga/ice40_units.awk: by instance path); then the
# datapath units chained without the rest (rtl/fpga/ice40_datapath.v),
# placed and routed. Writes DIR/ice40-top.csv (the whole top, placed or
# not, then the datapath subset) and DIR/ice40-top-units.csv (one line per
# unit, the top's own logic as "glue", the I/O wrapper as "wrapper").
#
#   rtl/fpga/ice40_top.sh [-p up5k|hx8k] [-s up5k|hx8k] [-u SUBSET] [-w DIR] [Param=Value ...]
#
# Param=Value sets a parameter of spattn_top (default: the smallest
# elaboration: D 4, MaxTokens 64, MaxVals 2, NQk 1, NPv 1, NCmp 1,
# KvBuffers 1 (one K buffer slot, no prefetch), SoftmaxLanes 1; KMsb,
# KLsb, VMsb, VLsb, RoundOverhead at their defaults). Exit status 0 when
# both files are written (whether or not the top fits), 1 a tool failed
# otherwise, 2 bad arguments. Tools as ice40_pnr.sh.
set -u
me=rtl/fpga/ice40_top.sh
die2() { echo "$me: $*" >&2; exit 2; }
part=hx8k; spart=up5k; subset="Imp=0 Pv=0"; work=build/fpga/ice40-top
while [ $# -gt 0 ]; do
  case "$1" in
    -p|-w|-s|-u) [ $# -ge 2 ] || die2 "option $1 needs a value";;
  esac
  case "$1" in
    -p) part=$2; shift 2;;
    -s) spart=$2; shift 2;;
    -u) subset=$2; shift 2;;
    -w) work=$2; shift 2;;
    -*) die2 "unknown option '$1'";;
    *) break;;
  esac
done
case "$part$spart" in up5kup5k|up5khx8k|hx8kup5k|hx8khx8k) ;; *) die2 "parts '$part', '$spart': up5k or hx8k";; esac
echo "$subset" | grep -Eq '^((Imp|Pv)=[01] ?)*$' || die2 "-u '$subset': Imp=0|1 Pv=0|1"
params="D=4 MaxTokens=64 MaxVals=2 NQk=1 NPv=1 NCmp=1 KvBuffers=1 SoftmaxLanes=1"
for a in "$@"; do
  echo "$a" | grep -Eq '^(D|MaxTokens|MaxVals|KMsb|KLsb|VMsb|VLsb|NQk|NPv|NCmp|RoundOverhead|KvBuffers|SoftmaxLanes)=[0-9]+$' \
    || die2 "'$a' is not Param=integer for a parameter of spattn_top"
  params=$(echo "$params" | tr ' ' '\n' | grep -v "^${a%%=*}=" | tr '\n' ' ')"$a"
done
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=${SPATTN_GEN:-$root/build/gen}
YOSYS=${YOSYS:-yosys}
mkdir -p "$work" || exit 1

# 1. the whole top, placed and routed (fails when it does not fit)
# shellcheck disable=SC2086
line=$("$root/rtl/fpga/ice40_pnr.sh" -p "$part" -n spattn_top -w "$work/pnr" -t spattn_top $params 2>"$work/pnr.err")
fit=$?
# 2. per unit: the cells of the flattened netlist by their instance path
# (ice40_units.awk), whether or not it placed
[ -s "$work/pnr/fpga_wrap.json" ] || { echo "$me: no netlist: $(cat "$work/pnr.err")" >&2; exit 1; }
awk -v pars="$params" -f "$root/rtl/fpga/ice40_units.awk" "$work/pnr/fpga_wrap.json" > "$work/ice40-top-units.csv" \
  || { echo "$me: no per-unit counts from $work/pnr/fpga_wrap.json" >&2; exit 1; }

# the whole top's line: placed (ice40_pnr.sh's line) or the LCs nextpnr
# packed before placement failed ("Info:  ICESTORM_LC:  N/ M  P%")
echo "name,part,package,module,params,wrap_in_bits,wrap_out_bits,lc,lc_avail,ram4k,ram4k_avail,dsp,dsp_avail,io,fmax_mhz,placed" > "$work/ice40-top.csv"
if [ $fit = 0 ]; then
  echo "$line,1" >> "$work/ice40-top.csv"
else
  log=$work/pnr/pnr.log
  util() { sed -n "s|^Info:[[:space:]]*$1:[[:space:]]*\([0-9]*\)/[[:space:]]*\([0-9]*\).*|\\$2|p" "$log" | head -1; }
  lc=$(util ICESTORM_LC 1); lca=$(util ICESTORM_LC 2)
  [ -n "$lc" ] || { echo "$me: the top neither placed nor packed: $(cat "$work/pnr.err")" >&2; exit 1; }
  win=$(sed -n 's/.*: \([0-9]*\) input bits, \([0-9]*\) output bits/\1/p' "$work/pnr/wrap.v")
  wout=$(sed -n 's/.*: \([0-9]*\) input bits, \([0-9]*\) output bits/\2/p' "$work/pnr/wrap.v")
  pkg=$([ "$part" = up5k ] && echo sg48 || echo ct256)
  echo "spattn_top,$part,$pkg,spattn_top,\"$params\",$win,$wout,$lc,$lca,$(util ICESTORM_RAM 1),$(util ICESTORM_RAM 2),$(util ICESTORM_DSP 1),$(util ICESTORM_DSP 2),$(util SB_IO 1),,0" >> "$work/ice40-top.csv"
fi
# 3. datapath units chained without the top's buffers, controller, top-k
# engine, fetcher and writer (rtl/fpga/ice40_datapath.v), at the same D,
# NQk, NPv and a MaxTokens-entry score buffer, on the subset part (-s,
# default up5k: its DSPs take the multipliers); SUBSET (-u) picks the
# units: the default, Imp=0 Pv=0, is qk, softmax and requant, the largest
# chain that placed at the smallest parameters (rtl/README.md "FPGA")
pp() { echo "$params" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# shellcheck disable=SC2086
dline=$("$root/rtl/fpga/ice40_pnr.sh" -p "$spart" -n ice40_datapath -w "$work/datapath" -t ice40_datapath \
  D="$(pp D)" NQk="$(pp NQk)" NPv="$(pp NPv)" MaxN="$(pp MaxTokens)" $subset 2>"$work/datapath.err") \
  || { echo "$me: the datapath subset did not place either: $(cat "$work/datapath.err")" >&2; exit 1; }
echo "$dline,1" >> "$work/ice40-top.csv"
cat "$work/ice40-top.csv" "$work/ice40-top-units.csv"
