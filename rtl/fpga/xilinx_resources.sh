#!/bin/sh
# xilinx_resources.sh - FPGA resource counts of rtl/spattn_top.v for one
# YAML config: the top's parameters come from the config exactly as for the
# co-sim (build/sim/spattn_simcfg, sim/simparams.h), then Yosys
# `synth_xilinx -family xcup` (AMD/Xilinx UltraScale+) out of context (no
# I/O buffers, no clock buffer). Prints one CSV line (--header: the header).
#
#   rtl/fpga/xilinx_resources.sh [-d D] [-w DIR] [-n NAME] [-u UNIT] CONFIG [Param=Value ...]
#   rtl/fpga/xilinx_resources.sh --header
#
# Param=Value overrides one derived parameter (e.g. MaxTokens=256) after
# the config's; the CSV line shows every parameter used. -u UNIT maps only
# the top's instance u_UNIT (kbuf, topk, controller, ...), out of context,
# with the parameters the top gives it at this config; the line is named
# NAME.UNIT and the top's own logic is not in it. Exit status: 0,
# 1 a tool failed, 2 bad arguments or a config the RTL cannot build (the
# message names the file and the key). Tools: YOSYS (yosys), SPATTN_SIMCFG
# (default build/sim/spattn_simcfg: `make build/sim/spattn_simcfg`).
# Output is the same for the same inputs; wall time goes to stderr.
set -u
HEADER="name,family,D,MaxTokens,MaxVals,KMsb,KLsb,VMsb,VLsb,NQk,NPv,NCmp,RoundOverhead,lut_logic,lut_mem,srl,ff,carry4,muxf,dsp,ramb36,ramb18,uram,other_cells"
me=rtl/fpga/xilinx_resources.sh
die2() { echo "$me: $*" >&2; exit 2; }

[ "${1:-}" = "--header" ] && { echo "$HEADER"; exit 0; }
d=64; work=""; name=""; unit=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d|-w|-n|-u) [ $# -ge 2 ] || die2 "option $1 needs a value";;
  esac
  case "$1" in
    -d) d=$2; shift 2;;
    -w) work=$2; shift 2;;
    -n) name=$2; shift 2;;
    -u) unit=$2; shift 2;;
    -*) die2 "unknown option '$1'";;
    *) break;;
  esac
done
[ $# -ge 1 ] || die2 "no config (usage: $me [-d D] [-w DIR] [-n NAME] [-u UNIT] CONFIG [Param=Value ...])"
cfg=$1; shift
echo "$d" | grep -Eq '^[0-9]+$' || die2 "-d '$d' is not a head dimension"
[ -f "$cfg" ] || die2 "$cfg: no such file"
for a in "$@"; do
  echo "$a" | grep -Eq '^(MaxTokens|MaxVals|KMsb|KLsb|VMsb|VLsb|NQk|NPv|NCmp|RoundOverhead)=[0-9]+$' \
    || die2 "override '$a' is not Param=integer for a parameter of spattn_top (D: -d)"
done
[ -n "$name" ] || name=$(basename "$cfg" .yaml)
[ -z "$unit" ] || echo "$unit" | grep -Eq '^[a-z_][a-z0-9_]*$' || die2 "unit '$unit' is not an instance name (u_UNIT in rtl/spattn_top.v)"
[ -z "$unit" ] || name=$name.$unit
case "$name" in *[,\"]*) die2 "name '$name' contains a comma or a quote";; esac
[ -n "$work" ] || work=build/fpga/xilinx/$name
root=$(cd "$(dirname "$0")/../.." && pwd)
# sp_defs.vh (included by the units) is generated: SPATTN_GEN or build/gen
gen=${SPATTN_GEN:-$root/build/gen}
[ -f "$gen/sp_defs.vh" ] || { echo "$me: $gen/sp_defs.vh not generated (make gen-defs)" >&2; exit 1; }
SIMCFG=${SPATTN_SIMCFG:-$root/build/sim/spattn_simcfg}
YOSYS=${YOSYS:-yosys}
[ -x "$SIMCFG" ] || { echo "$me: $SIMCFG not built (make build/sim/spattn_simcfg)" >&2; exit 1; }
command -v "$YOSYS" >/dev/null 2>&1 || { echo "$me: $YOSYS not found; install the Debian package yosys (make deps does, as root)" >&2; exit 1; }
mkdir -p "$work" || exit 1

# parameters: the co-sim's rules (exit 2 with the config's message)
"$SIMCFG" -c "$cfg" -d "$d" -o "$work/params" >/dev/null || exit 2
for a in "$@"; do
  grep -v "^-G${a%%=*}=" "$work/params.vc" > "$work/params.vc.tmp" && echo "-G$a" >> "$work/params.vc.tmp" \
    && mv "$work/params.vc.tmp" "$work/params.vc" || exit 1
done
pv() { sed -n "s/^-G$1=//p" "$work/params.vc"; }
chp=$(sed 's/^-G\([A-Za-z]*\)=\(.*\)/-set \1 \2/' "$work/params.vc" | tr '\n' ' ')

t0=$(date +%s)
rm -f "$work/stat.txt" "$work/cell.txt"
cat > "$work/read.ys" <<EOF
verilog_defaults -add -I$root/rtl -I$gen
read_verilog $root/rtl/spattn_top.v
chparam $chp spattn_top
hierarchy -top spattn_top -libdir $root/rtl
EOF
top=spattn_top
if [ -n "$unit" ]; then
  # the module the top instantiates as u_UNIT at these parameters (RTLIL
  # dump line "cell TYPE NAME")
  { cat "$work/read.ys"; echo "tee -q -o $work/cell.txt dump spattn_top/u_$unit"; } > "$work/cell.ys"
  "$YOSYS" -q -l "$work/cell.log" -s "$work/cell.ys" >/dev/null 2>&1 \
    || { echo "$me: yosys could not elaborate $cfg: see $work/cell.log" >&2; exit 1; }
  top=$(sed -n 's/^ *cell \([^ ]*\) \\u_'"$unit"'$/\1/p' "$work/cell.txt" | head -1)
  top=${top#\\}
  [ -n "$top" ] || { echo "$me: no instance u_$unit in spattn_top: see $work/cell.txt" >&2; exit 2; }
fi
# printf, not echo: a module name holds a backslash (\vbuf: \v)
{ cat "$work/read.ys"; [ "$top" = spattn_top ] || printf 'hierarchy -top %s\n' "$top"
  printf 'synth_xilinx -family xcup -top %s -flatten -noiopad -noclkbuf -uram\n' "$top"
  printf 'tee -q -o %s/stat.txt stat\n' "$work"; } > "$work/synth.ys"
"$YOSYS" -q -t -l "$work/yosys.log" -s "$work/synth.ys" >/dev/null 2>&1 \
  || { echo "$me: yosys synth_xilinx failed on $cfg: see $work/yosys.log" >&2; exit 1; }
echo "$me: $name: yosys $(( $(date +%s) - t0 )) s" >&2

# cell counts of the flattened top -> resource classes. LUTs per LUT-RAM
# and shift-register primitive: AMD UG574 (UltraScale CLB user guide),
# distributed RAM and SRL tables. INV is a LUT1 once implemented.
TOPNAME=$top awk -v name="$name" -v pars="$(for p in D MaxTokens MaxVals KMsb KLsb VMsb VLsb NQk NPv NCmp RoundOverhead; do printf '%s,' "$(pv $p)"; done)" '
BEGIN {
  split("RAM32X1S 1 RAM32X1D 2 RAM32M 4 RAM32M16 8 RAM64X1S 1 RAM64X1D 2 RAM64M 4 RAM64M8 8 RAM128X1S 2 RAM128X1D 4 RAM256X1S 4 RAM256X1D 8 RAM512X1S 8", m, " ")
  for (i = 1; i in m; i += 2) lram[m[i]] = m[i + 1]
}
{ sub(/^\[[0-9.]+\] /, "") }  # the log time stamps (yosys -t)
/^=== / { insec = ($2 == ENVIRON["TOPNAME"]) ; next }
insec && NF == 2 && $2 ~ /^[0-9]+$/ && $1 ~ /^[A-Z][A-Z0-9_]*$/ {
  c = $1; n = $2
  if (c ~ /^LUT[1-6]$/ || c == "INV") lut += n
  else if (c in lram) lmem += n * lram[c]
  else if (c == "SRL16E" || c == "SRLC32E" || c == "SRLC16E") srl += n
  else if (c ~ /^FD[RSCP]E(_1)?$/) ff += n
  else if (c == "CARRY4" || c == "CARRY8") carry += n  # Yosys 0.23 maps carries to CARRY4 on every family
  else if (c ~ /^MUXF[789]$/) muxf += n
  else if (c == "DSP48E2") dsp += n
  else if (c == "RAMB36E2") r36 += n
  else if (c == "RAMB18E2") r18 += n
  else if (c == "URAM288") uram += n
  else { other += n; printf "xilinx_resources: unclassified cell %s x %d\n", c, n > "/dev/stderr" }
  seen = 1
}
END {
  if (!seen) exit 1
  printf "%s,xcup,%s%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d\n", name, pars, lut, lmem, srl, ff, carry, muxf, dsp, r36, r18, uram, other
}' "$work/stat.txt" || { echo "$me: no cell counts in $work/stat.txt" >&2; exit 1; }
