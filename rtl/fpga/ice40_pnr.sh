#!/bin/sh
# ice40_pnr.sh - one module of rtl/ through the open iCE40 flow: a serial
# I/O wrapper (wrap_ports.awk), Yosys synth_ice40, nextpnr-ice40 place and
# route, icepack bitstream. Prints one CSV line (or the header with
# --header); the logs and files stay in the work directory.
#
#   rtl/fpga/ice40_pnr.sh [-p up5k|hx8k] [-k PACKAGE] [-f MHZ] [-s SEED]
#                         [-w DIR] [-n NAME] -t MODULE [Param=Value ...]
#   rtl/fpga/ice40_pnr.sh --header
#
# nextpnr runs with --timing-allow-fail: the Fmax printed is the achieved
# post-route figure, met or not (-f sets the target it optimises for).
# Exit status: 0 placed and routed, 1 a tool failed (the design does not
# fit, for example; its message is printed), 2 bad arguments.
# Tools: YOSYS (yosys), NEXTPNR (nextpnr-ice40), ICEPACK (icepack); SPATTN_GEN
# (default build/gen) holds the generated sp_defs.vh.
set -u
HEADER="name,part,package,module,params,wrap_in_bits,wrap_out_bits,lc,lc_avail,ram4k,ram4k_avail,dsp,dsp_avail,io,fmax_mhz"
me=rtl/fpga/ice40_pnr.sh
die2() { echo "$me: $*" >&2; exit 2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "$me: $1 not found; install the Debian package $2 (make deps does, as root)" >&2; exit 1; }; }

[ "${1:-}" = "--header" ] && { echo "$HEADER"; exit 0; }
part=up5k; pkg=""; freq=12; seed=1; work=""; name=""; top=""
while [ $# -gt 0 ]; do
  case "$1" in
    -p|-k|-f|-s|-w|-n|-t) [ $# -ge 2 ] || die2 "option $1 needs a value";;
  esac
  case "$1" in
    -p) part=$2; shift 2;;
    -k) pkg=$2; shift 2;;
    -f) freq=$2; shift 2;;
    -s) seed=$2; shift 2;;
    -w) work=$2; shift 2;;
    -n) name=$2; shift 2;;
    -t) top=$2; shift 2;;
    -*) die2 "unknown option '$1'";;
    *) break;;
  esac
done
case "$part" in
  up5k) [ -n "$pkg" ] || pkg=sg48;;
  hx8k) [ -n "$pkg" ] || pkg=ct256;;
  *) die2 "part '$part': up5k or hx8k";;
esac
[ -n "$top" ] || die2 "no module (-t MODULE)"
echo "$top" | grep -Eq '^[A-Za-z_][A-Za-z0-9_]*$' || die2 "module name '$top' is not a Verilog identifier"
echo "$freq" | grep -Eq '^[0-9]+(\.[0-9]+)?$' || die2 "-f '$freq' is not a frequency in MHz"
echo "$seed" | grep -Eq '^[0-9]+$' || die2 "-s '$seed' is not a seed"
root=$(cd "$(dirname "$0")/../.." && pwd)
# sp_defs.vh (included by the units) is generated: SPATTN_GEN or build/gen
gen=${SPATTN_GEN:-$root/build/gen}
[ -f "$gen/sp_defs.vh" ] || { echo "$me: $gen/sp_defs.vh not generated (make gen-defs)" >&2; exit 1; }
# a unit of rtl/, or a design of rtl/fpga/ (ice40_datapath)
src=$root/rtl/$top.v
[ -f "$src" ] || src=$root/rtl/fpga/$top.v
[ -f "$src" ] || die2 "no module file rtl/$top.v or rtl/fpga/$top.v"
chp=""; params=""
for a in "$@"; do
  echo "$a" | grep -Eq '^[A-Z][A-Za-z0-9]*=[0-9]+$' || die2 "parameter '$a' is not Name=integer"
  chp="$chp -set ${a%%=*} ${a#*=}"; params="$params${params:+ }$a"
done
[ -n "$name" ] || name=$top
case "$name" in *[,\"]*) die2 "name '$name' contains a comma or a quote";; esac
[ -n "$work" ] || work=build/fpga/ice40/$name
YOSYS=${YOSYS:-yosys}; NEXTPNR=${NEXTPNR:-nextpnr-ice40}; ICEPACK=${ICEPACK:-icepack}
need "$YOSYS" yosys; need "$NEXTPNR" nextpnr-ice40; need "$ICEPACK" fpga-icestorm
mkdir -p "$work" || exit 1
chcmd=""; [ -n "$chp" ] && chcmd="chparam$chp $top;"

# 1. the module's port list at these parameters -> the wrapper
"$YOSYS" -q -l "$work/ports.log" -p "verilog_defaults -add -I$root/rtl -I$gen; read_verilog $src; $chcmd hierarchy -top $top -libdir $root/rtl; proc; write_verilog -noattr -selected $work/ports.v" \
  >/dev/null 2>&1 || { echo "$me: yosys could not elaborate $top ($params): see $work/ports.log" >&2; exit 1; }
awk -v top="$top" -f "$root/rtl/fpga/wrap_ports.awk" "$work/ports.v" > "$work/wrap.v" || exit 1
win=$(sed -n 's/.*: \([0-9]*\) input bits, \([0-9]*\) output bits/\1/p' "$work/wrap.v")
wout=$(sed -n 's/.*: \([0-9]*\) input bits, \([0-9]*\) output bits/\2/p' "$work/wrap.v")

# 2. synthesis (DSPs on the UltraPlus part)
dsp=""; [ "$part" = up5k ] && dsp=-dsp
"$YOSYS" -q -l "$work/synth.log" -p "verilog_defaults -add -I$root/rtl -I$gen; read_verilog $src $work/wrap.v; $chcmd hierarchy -top fpga_wrap -libdir $root/rtl; synth_ice40 -top fpga_wrap $dsp -json $work/fpga_wrap.json; tee -q -o $work/synth.stat stat" \
  >/dev/null 2>&1 || { echo "$me: yosys synth_ice40 failed on $top: see $work/synth.log" >&2; exit 1; }

# 3. place and route, 4. bitstream
"$NEXTPNR" --"$part" --package "$pkg" --json "$work/fpga_wrap.json" --asc "$work/fpga_wrap.asc" \
  --freq "$freq" --timing-allow-fail --seed "$seed" --log "$work/pnr.log" >/dev/null 2>&1 || {
  echo "$me: nextpnr-ice40 --$part failed on $top ($params): $(grep -m1 -E 'ERROR' "$work/pnr.log")" >&2
  # what synthesis asked for (the wrapper included)
  awk '$1 == "SB_LUT4" { l = $2 } $1 ~ /^SB_DFF/ { f += $2 } $1 == "SB_RAM40_4K" { r = $2 } $1 == "SB_MAC16" { m = $2 }
       END { printf "  synth_ice40 cells (wrapper included): SB_LUT4 %d, flip-flops %d, SB_RAM40_4K %d, SB_MAC16 %d\n", l, f, r, m }' \
    "$work/synth.stat" >&2
  exit 1; }
"$ICEPACK" "$work/fpga_wrap.asc" "$work/fpga_wrap.bin" || { echo "$me: icepack failed on $top" >&2; exit 1; }

# utilisation (after packing) and the post-route Fmax of clk_i
# ("Info:   ICESTORM_LC:   100/ 5280     1%")
util() { sed -n "s|^Info:[[:space:]]*$1:[[:space:]]*\([0-9]*\)/[[:space:]]*\([0-9]*\).*|\\$2|p" "$work/pnr.log" | head -1; }
lc=$(util ICESTORM_LC 1); lca=$(util ICESTORM_LC 2)
ram=$(util ICESTORM_RAM 1); rama=$(util ICESTORM_RAM 2)
dspu=$(util ICESTORM_DSP 1); dspa=$(util ICESTORM_DSP 2)
io=$(util SB_IO 1)
fmax=$(sed -n "s/.*Max frequency for clock '[^']*': \([0-9.]*\) MHz.*/\1/p" "$work/pnr.log" | tail -1)
[ -n "$lc" ] && [ -n "$fmax" ] || { echo "$me: no utilisation or Fmax in $work/pnr.log" >&2; exit 1; }
echo "$name,$part,$pkg,$top,\"$params\",$win,$wout,$lc,$lca,$ram,$rama,${dspu:-0},${dspa:-0},$io,$fmax"
