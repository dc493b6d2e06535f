#!/bin/sh
# xilinx_resources.sh - FPGA resource counts of rtl/spattn_top.v for one
# YAML config: the top's parameters come from the config exactly as for the
# co-sim (build/sim/spattn_simcfg, sim/simparams.h), then Yosys
# `synth_xilinx -family xcup` (AMD/Xilinx UltraScale+) out of context (no
# I/O buffers, no clock buffer). Prints one CSV line (--header: the header).
#
#   rtl/fpga/xilinx_resources.sh [-d D] [-w DIR] [-n NAME] [-u UNIT | -H]
#                                [-X UNIT=OPTION ...] CONFIG [Param=Value ...]
#   rtl/fpga/xilinx_resources.sh --check [-d D] CONFIG   (parameters only)
#   rtl/fpga/xilinx_resources.sh --sum NAME < LINES      (the -H sum line)
#   rtl/fpga/xilinx_resources.sh --header
#
# Param=Value overrides one derived parameter (e.g. MaxTokens=256) after
# the config's; the CSV line shows every parameter used. -u UNIT maps only
# the top's instance u_UNIT (kbuf, topk, controller, ...), out of context,
# with the parameters the top gives it at this config; the line is named
# NAME.UNIT and the top's own logic is not in it. -H keeps the hierarchy:
# every instance u_UNIT of the top is mapped once as -u does, the top's own
# logic once more with every unit a black box (line NAME.glue), and a last
# line NAME sums them (no optimisation across a unit boundary; the note
# column says so). -X UNIT=OPTION adds one synth_xilinx option (-nolutram,
# -nobram, -nosrl, -abc9, -nowidelut) to that unit's run (-u or -H; UNIT
# as in -u, or glue; top without either), or -fastabc: the LUT mapping of
# synth_xilinx's map_luts step runs `abc -fast` (ABC's quick script:
# strash; dretime; if) instead of its full script; the note column lists
# it. Exit status: 0,
# 1 a tool failed, 2 bad arguments or a config the RTL cannot build (the
# message names the file and the key). Tools: YOSYS (yosys), SPATTN_SIMCFG
# (default build/sim/spattn_simcfg: `make build/sim/spattn_simcfg`).
# Output is the same for the same inputs; wall time goes to stderr.
set -u
HEADER="name,family,D,MaxTokens,MaxVals,KMsb,KLsb,VMsb,VLsb,NQk,NPv,NCmp,RoundOverhead,SoftmaxLanes,KvBuffers,FetchRows,lut_logic,lut_mem,srl,ff,carry4,muxf,dsp,ramb36,ramb18,uram,other_cells,note"
me=rtl/fpga/xilinx_resources.sh
die2() { echo "$me: $*" >&2; exit 2; }

[ "${1:-}" = "--header" ] && { echo "$HEADER"; exit 0; }
if [ "${1:-}" = "--sum" ]; then
  # the lines of -H (units NAME.UNIT and NAME.glue, one parameter set) on
  # stdin -> their sum, named NAME
  [ $# = 2 ] || die2 "usage: $me --sum NAME < LINES"
  awk -F, -v name="$2" '
    NF != 28 || $1 !~ /\./ { printf "%s: line %d is no unit line of this script\n", "'"$me"'", NR > "/dev/stderr"; bad = 1; exit }
    { for (i = 17; i <= 27; i++) t[i] += $i
      if (NR == 1) for (i = 2; i <= 16; i++) p[i] = $i
      else for (i = 2; i <= 16; i++) if (p[i] != $i) { printf "%s: line %d has other parameters\n", "'"$me"'", NR > "/dev/stderr"; bad = 1; exit }
      u = $1; sub(/^.*\./, "", u); if (u == "glue") g = 1; else n++ }
    END {
      if (bad) exit 2
      if (!g || !n) { printf "%s: --sum needs the unit lines and the glue line\n", "'"$me"'" > "/dev/stderr"; exit 2 }
      printf "%s", name; for (i = 2; i <= 16; i++) printf ",%s", p[i]
      for (i = 17; i <= 27; i++) printf ",%d", t[i]
      printf ",hierarchy kept: the sum of the %d unit lines and the glue line above (each mapped once out of context; no optimisation across a unit boundary)\n", n
    }'
  exit $?
fi
d=64; work=""; name=""; unit=""; hier=""; xopts=""; check=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d|-w|-n|-u|-X) [ $# -ge 2 ] || die2 "option $1 needs a value";;
  esac
  case "$1" in
    -d) d=$2; shift 2;;
    -w) work=$2; shift 2;;
    -n) name=$2; shift 2;;
    -u) unit=$2; shift 2;;
    -H) hier=1; shift;;
    --check) check=1; shift;;
    -X) echo "$2" | grep -Eq '^[a-z_][a-z0-9_]*=-(nolutram|nobram|nosrl|abc9|nowidelut|fastabc)$' \
          || die2 "-X '$2' is not UNIT=OPTION (OPTION: -nolutram, -nobram, -nosrl, -abc9, -nowidelut, -fastabc)"
        xopts="$xopts $2"; shift 2;;
    -*) die2 "unknown option '$1'";;
    *) break;;
  esac
done
[ $# -ge 1 ] || die2 "no config (usage: $me [-d D] [-w DIR] [-n NAME] [-u UNIT | -H] [-X UNIT=OPTION ...] CONFIG [Param=Value ...])"
[ -z "$unit" ] || [ -z "$hier" ] || die2 "-u and -H exclude each other"
cfg=$1; shift
echo "$d" | grep -Eq '^[0-9]+$' || die2 "-d '$d' is not a head dimension"
[ -f "$cfg" ] || die2 "$cfg: no such file"
for a in "$@"; do
  echo "$a" | grep -Eq '^(MaxTokens|MaxVals|KMsb|KLsb|VMsb|VLsb|NQk|NPv|NCmp|RoundOverhead|SoftmaxLanes|KvBuffers|FetchRows)=[0-9]+$' \
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
if [ -n "$check" ]; then  # the co-sim's parameter rules only (exit 2 with the message)
  t=$(mktemp -d) || exit 1
  "$SIMCFG" -c "$cfg" -d "$d" -o "$t/params" >/dev/null; rc=$?
  rm -rf "$t"; [ $rc = 0 ] || exit 2; exit 0
fi
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
# the -X options of one unit (glue: the top's own logic; top: the whole)
xof() { for x in $xopts; do [ "${x%%=*}" = "$1" ] && printf ' %s' "${x#*=}"; done; }

printf '%s\n' "verilog_defaults -add -I$root/rtl -I$gen" "read_verilog $root/rtl/spattn_top.v" \
  "chparam $chp spattn_top" "hierarchy -top spattn_top -libdir $root/rtl" > "$work/read.ys"
# the instances u_* of the top and their modules at these parameters
# (RTLIL dump lines "cell TYPE NAME")
# (-H hands its list to each unit's run in XR_CELLS: the same parameters)
rm -f "$work/cells.txt"
if [ -n "${XR_CELLS:-}" ]; then
  cp "$XR_CELLS" "$work/cells.txt" || exit 1
else
  { cat "$work/read.ys"; echo "tee -q -o $work/cells.txt dump spattn_top/c:u_*"; } > "$work/cell.ys"
  "$YOSYS" -q -l "$work/cell.log" -s "$work/cell.ys" >/dev/null 2>&1 \
    || { echo "$me: yosys could not elaborate $cfg: see $work/cell.log" >&2; exit 1; }
fi
units=$(sed -n 's/^ *cell [^ ]* \\u_\([a-z0-9_]*\)$/\1/p' "$work/cells.txt" | sort)
[ -n "$units" ] || { echo "$me: no instance u_* in spattn_top: see $work/cells.txt" >&2; exit 1; }
for x in $xopts; do
  u=${x%%=*}
  if [ -n "$hier" ]; then
    { [ "$u" = glue ] || echo "$units" | grep -qx "$u"; } || die2 "-X $x: no instance u_$u in spattn_top"
  else
    [ "$u" = "${unit:-top}" ] || die2 "-X $x: the run maps ${unit:-top} (-u), not $u"
  fi
done

if [ -n "$hier" ]; then
  # every unit out of context, then the glue; the sum is the last line
  : > "$work/lines.csv"
  for u in $units glue; do
    xa=""; for x in $xopts; do [ "${x%%=*}" = "$u" ] && xa="$xa -X $x"; done
    # shellcheck disable=SC2086
    XR_CELLS=$work/cells.txt "$0" -d "$d" -w "$work/$u" -n "$name" -u "$u" $xa "$cfg" "$@" >> "$work/lines.csv" || exit $?
  done
  cat "$work/lines.csv"
  "$0" --sum "$name" < "$work/lines.csv"
  exit $?
fi

t0=$(date +%s)
rm -f "$work/stat.txt"
top=spattn_top; bb=""; note="flattened"
if [ "$unit" = glue ]; then
  # the top's own logic: every unit module a black box
  note="spattn_top's own logic only: every u_* unit a black box"
  bb=$(sed -n 's/^ *cell \\\{0,1\}\([^ ]*\) \\u_[a-z0-9_]*$/\1/p' "$work/cells.txt" | sort -u)
elif [ -n "$unit" ]; then
  top=$(sed -n 's/^ *cell \([^ ]*\) \\u_'"$unit"'$/\1/p' "$work/cells.txt" | head -1)
  top=${top#\\}
  [ -n "$top" ] || die2 "no instance u_$unit in spattn_top: see $work/cells.txt"
  note="unit u_$unit out of context"
fi
xo=$(xof "${unit:-top}")
[ -z "$xo" ] || note="$note; synth_xilinx$xo"
# -fastabc: synth_xilinx up to map_luts, that step by hand as Yosys 0.23
# runs it (`help synth_xilinx`) with `abc -fast`, then the rest
fast=""; sx=""
for o in $xo; do [ "$o" = -fastabc ] && fast=1 || sx="$sx $o"; done
case "$sx" in *-abc9*) [ -z "$fast" ] || die2 "-fastabc and -abc9 exclude each other";; esac
luts=2:2,3,6:5,10,20; case "$sx" in *-nowidelut*) luts=2:2,3,6:5;; esac
srl=1; case "$sx" in *-nosrl*) srl="";; esac
sxl="synth_xilinx -family xcup -top $top -flatten -noiopad -noclkbuf -uram$sx"
# printf, not echo: a module name holds a backslash (\vbuf: \v)
{ cat "$work/read.ys"; [ "$top" = spattn_top ] || printf 'hierarchy -top %s\n' "$top"
  for t in $bb; do printf 'blackbox %s\n' "$t"; done
  if [ -n "$fast" ]; then
    printf '%s -run :map_luts\n' "$sxl"
    printf 'opt_expr -mux_undef -noclkinv\nabc -fast -luts %s\nclean\ntechmap -map +/xilinx/ff_map.v\n' "$luts"
    [ -z "$srl" ] || printf 'xilinx_srl -fixed -minlen 3\n'
    printf 'techmap -map +/xilinx/lut_map.v -map +/xilinx/cells_map.v -D LUT_WIDTH=6\nxilinx_dffopt\nopt_lut_ins -tech xilinx\n'
    printf '%s -run finalize:\n' "$sxl"
  else
    printf '%s\n' "$sxl"
  fi
  printf 'tee -q -o %s/stat.txt stat\n' "$work"; } > "$work/synth.ys"
"$YOSYS" -q -t -l "$work/yosys.log" -s "$work/synth.ys" >/dev/null 2>&1 \
  || { echo "$me: yosys synth_xilinx failed on $cfg: see $work/yosys.log" >&2; exit 1; }
echo "$me: $name: yosys $(( $(date +%s) - t0 )) s" >&2

# cell counts of the mapped module -> resource classes. LUTs per LUT-RAM
# and shift-register primitive: AMD UG574 (UltraScale CLB user guide),
# distributed RAM and SRL tables. INV is a LUT1 once implemented. A black
# box (glue) is a cell named by its module ($paramod... or \name): counted
# to check that every unit is one, not summed.
TOPNAME=$top awk -v name="$name" -v note="$note" -v nbb="$(printf "%s\n" $bb | grep -c .)" -v pars="$(for p in D MaxTokens MaxVals KMsb KLsb VMsb VLsb NQk NPv NCmp RoundOverhead SoftmaxLanes KvBuffers FetchRows; do printf '%s,' "$(pv $p)"; done)" '
BEGIN {
  split("RAM32X1S 1 RAM32X1D 2 RAM32M 4 RAM32M16 8 RAM64X1S 1 RAM64X1D 2 RAM64M 4 RAM64M8 8 RAM128X1S 2 RAM128X1D 4 RAM256X1S 4 RAM256X1D 8 RAM512X1S 8", m, " ")
  for (i = 1; i in m; i += 2) lram[m[i]] = m[i + 1]
}
{ sub(/^\[[0-9.]+\] /, "") }  # the log time stamps (yosys -t)
/^=== / { insec = ($2 == ENVIRON["TOPNAME"]) ; next }
insec && NF == 2 && $2 ~ /^[0-9]+$/ && $1 !~ /^[A-Z][A-Z0-9_]*$/ { black += $2; next }
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
  if (black + 0 != nbb + 0) { printf "xilinx_resources: %d cells that are no primitive (black boxes or unmapped), %d black boxes expected\n", black, nbb > "/dev/stderr"; exit 1 }
  printf "%s,xcup,%s%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%s\n", name, pars, lut, lmem, srl, ff, carry, muxf, dsp, r36, r18, uram, other, note
}' "$work/stat.txt" || { echo "$me: no cell counts in $work/stat.txt" >&2; exit 1; }
