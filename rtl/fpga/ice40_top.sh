#!/bin/sh
# ice40_top.sh - the whole spattn_top through the open iCE40 flow at one
# set of parameters (the smallest the RTL builds by default): place and
# route with rtl/fpga/ice40_pnr.sh (serial-I/O wrapper, synth_ice40,
# nextpnr-ice40, icepack) and, fit or not, the cells of each unit from
# synth_ice40 -noflatten (what each instance u_UNIT asks for); then the
# datapath units chained without the rest (rtl/fpga/ice40_datapath.v),
# placed and routed. Writes DIR/ice40-top.csv (the whole top, placed or
# not, then the datapath subset) and DIR/ice40-top-units.csv (one line per
# unit, the top's own logic as "glue").
#
#   rtl/fpga/ice40_top.sh [-p up5k|hx8k] [-w DIR] [Param=Value ...]
#
# Param=Value sets a parameter of spattn_top (default: the smallest
# elaboration: D 4, MaxTokens 64, MaxVals 2, NQk 1, NPv 1, NCmp 1; KMsb,
# KLsb, VMsb, VLsb, RoundOverhead at their defaults). Exit status 0 when
# both files are written (whether or not the top fits), 1 a tool failed
# otherwise, 2 bad arguments. Tools as ice40_pnr.sh.
set -u
me=rtl/fpga/ice40_top.sh
die2() { echo "$me: $*" >&2; exit 2; }
part=hx8k; work=build/fpga/ice40-top
while [ $# -gt 0 ]; do
  case "$1" in
    -p|-w) [ $# -ge 2 ] || die2 "option $1 needs a value";;
  esac
  case "$1" in
    -p) part=$2; shift 2;;
    -w) work=$2; shift 2;;
    -*) die2 "unknown option '$1'";;
    *) break;;
  esac
done
case "$part" in up5k|hx8k) ;; *) die2 "part '$part': up5k or hx8k";; esac
params="D=4 MaxTokens=64 MaxVals=2 NQk=1 NPv=1 NCmp=1"
for a in "$@"; do
  echo "$a" | grep -Eq '^(D|MaxTokens|MaxVals|KMsb|KLsb|VMsb|VLsb|NQk|NPv|NCmp|RoundOverhead)=[0-9]+$' \
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
# 2. per unit: synth_ice40 with the hierarchy kept
chp=""; for a in $params; do chp="$chp -set ${a%%=*} ${a#*=}"; done
"$YOSYS" -q -l "$work/units.log" -p "verilog_defaults -add -I$root/rtl -I$gen; read_verilog $root/rtl/spattn_top.v; chparam$chp spattn_top; hierarchy -top spattn_top -libdir $root/rtl; synth_ice40 -top spattn_top -noflatten $([ "$part" = up5k ] && echo -dsp); tee -q -o $work/units.stat stat; tee -q -o $work/units.cells dump spattn_top/c:u_*" \
  >/dev/null 2>&1 || { echo "$me: yosys synth_ice40 -noflatten failed: see $work/units.log" >&2; exit 1; }
# instance -> module, then each module's cells with its submodules'
# (e.g. softmax's exp_lut, kbuf's planebuf and its quant lanes) added in,
# as many times as they are instantiated
awk -v pars="$params" '
  function tot(m, k,   t, j) {
    t = (k == 1) ? lut[m] : (k == 2) ? ff[m] : (k == 3) ? car[m] : (k == 4) ? ram[m] : dsp[m]
    for (j = 1; j <= ns[m]; j++) t += sn[m, j] * tot(sm[m, j], k)
    return t
  }
  FILENAME ~ /units.cells$/ { if ($1 == "cell") { m = $2; i = $3; sub(/^\\/, "", m); sub(/^\\u_/, "", i); inst[m] = i; order[++n] = m } next }
  { sub(/^\[[0-9.]+\] /, "") }
  /design hierarchy/ { mod = ""; next }
  /^=== / { mod = $2; sub(/^\\/, "", mod); next }
  mod != "" && NF == 2 && $2 ~ /^[0-9]+$/ {
    c = $1
    if (c == "SB_LUT4") lut[mod] += $2
    else if (c ~ /^SB_DFF/) ff[mod] += $2
    else if (c == "SB_CARRY") car[mod] += $2
    else if (c == "SB_RAM40_4K") ram[mod] += $2
    else if (c == "SB_MAC16") dsp[mod] += $2
    else if (c !~ /^SB_/) { x = c; sub(/^\\/, "", x); ns[mod]++; sm[mod, ns[mod]] = x; sn[mod, ns[mod]] = $2 }
  }
  END {
    print "unit,params,sb_lut4,sb_dff,sb_carry,sb_ram40_4k,sb_mac16"
    for (k = 1; k <= n; k++) {
      m = order[k]
      printf "%s,\"%s\",%d,%d,%d,%d,%d\n", inst[m], pars, tot(m, 1), tot(m, 2), tot(m, 3), tot(m, 4), tot(m, 5)
    }
    m = "spattn_top"
    printf "glue,\"%s\",%d,%d,%d,%d,%d\n", pars, lut[m], ff[m], car[m], ram[m], dsp[m]
  }' "$work/units.cells" "$work/units.stat" > "$work/ice40-top-units.csv" \
  || { echo "$me: no per-unit counts in $work/units.stat" >&2; exit 1; }

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
# 3. the datapath units chained without the top's buffers, controller,
# top-k engine, fetcher and writer (rtl/fpga/ice40_datapath.v), at the
# same D, NQk, NPv and a MaxTokens-entry score buffer
pp() { echo "$params" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
dline=$("$root/rtl/fpga/ice40_pnr.sh" -p "$part" -n ice40_datapath -w "$work/datapath" -t ice40_datapath \
  D="$(pp D)" NQk="$(pp NQk)" NPv="$(pp NPv)" MaxN="$(pp MaxTokens)" 2>"$work/datapath.err") \
  || { echo "$me: the datapath subset did not place either: $(cat "$work/datapath.err")" >&2; exit 1; }
echo "$dline,1" >> "$work/ice40-top.csv"
cat "$work/ice40-top.csv" "$work/ice40-top-units.csv"
