#!/bin/sh
# bench.sh - make bench-cosim: co-sim speed on the default config. Runs the
# same RTL and memory model on one trace three ways: the SystemC harness
# with the lock-step checker (engine cosim), the SystemC harness alone
# (engine rtl) and a plain C++ loop (--harness plain), each BENCH_REPS
# times (default 5, the three ways interleaved), and prints the median
# cycles/s of each (with the lowest and highest) and the SystemC/plain
# ratio of the medians. What is timed: the simulation loop only (wall
# clock around sc_start, or around the plain loop; the checker's C model
# thread runs inside it), not the trace generation, the memory image, the
# end-of-run cycle comparison or stats.json. Beside it, cycles per CPU
# second of the same loop (the process's CPU time, both threads): the
# steadier figure when other jobs share the cores. The binary is built -O3
# --x-assign fast --x-initial fast (mk/sim.mk).
set -u
COSIM=${SPATTN_COSIM:-build/sim/spattn_cosim}
CFG=${COSIM_CONFIG:-configs/default.yaml}
REPS=${BENCH_REPS:-5}
# 122 + 6 tokens: configs/default.yaml's K buffer slot holds 128 keys (two
# slots of 16 KB, hardware.kv_buffers 2; docs/rtl.md s1); 24 layers of 16
# heads make a run of about 0.56 M cycles (1 to 2 s), long enough for a
# steady figure
T=${COSIM_BENCH_TRACE:-synth:mode=decode,layers=24,heads=16,d=64,len=122,iters=6,seed=1}
case $REPS in ''|*[!0-9]*|0) echo "bench-cosim: BENCH_REPS must be a positive integer"; exit 2 ;; esac
rate() { sed -n 's/.*: \([0-9]*\) cycles\/s.*/\1/p'; }
crate() { sed -n 's/.*: \([0-9]*\) cycles\/CPU-s.*/\1/p'; }
cyc() { sed -n 's/^spattn_cosim: \([0-9]*\) cycles in.*/\1/p'; }
C=""; S=""; P=""; N=""; CC=""; SC=""; PC=""
i=0
while [ "$i" -lt "$REPS" ]; do
  e=$("$COSIM" -c "$CFG" -t "$T" --engine cosim 2>&1 >/dev/null); c=$(echo "$e" | rate); N=$(echo "$e" | cyc)
  cc=$(echo "$e" | crate)
  e=$("$COSIM" -c "$CFG" -t "$T" --engine rtl 2>&1 >/dev/null); s=$(echo "$e" | rate); sc=$(echo "$e" | crate)
  e=$("$COSIM" -c "$CFG" -t "$T" --harness plain 2>&1 >/dev/null); p=$(echo "$e" | rate); pc=$(echo "$e" | crate)
  if [ -z "$c" ] || [ -z "$s" ] || [ -z "$p" ]; then echo "bench-cosim: a run failed"; exit 1; fi
  C="$C $c"; S="$S $s"; P="$P $p"; CC="$CC $cc"; SC="$SC $sc"; PC="$PC $pc"
  i=$((i + 1))
done
# median (lower middle for an even count), lowest, highest of a list
# (n/a for a binary that does not print the figure)
stat() { echo "$1" | tr ' ' '\n' | grep . | sort -n |
  awk '{ v[NR] = $1 } END { if (NR) printf "%d (%d to %d)", v[int((NR + 1) / 2)], v[1], v[NR]; else printf "n/a" }'; }
med() { echo "$1" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "bench-cosim: $CFG, $T, $N cycles"
echo "bench-cosim: median of $REPS runs (lowest to highest); timed: the simulation loop only (wall clock, and process CPU time); $(uptime | sed 's/.*\(load average\)/\1/')"
echo "bench-cosim: cosim (SystemC + checker) $(stat "$C") cycles/s, $(stat "$CC") cycles/CPU-s"
echo "bench-cosim: rtl   (SystemC harness)   $(stat "$S") cycles/s, $(stat "$SC") cycles/CPU-s"
echo "bench-cosim: plain (C++ loop)          $(stat "$P") cycles/s, $(stat "$PC") cycles/CPU-s"
awk -v s="$(med "$S")" -v p="$(med "$P")" 'BEGIN { printf "bench-cosim: SystemC harness / plain loop speed ratio %.3f (medians)\n", s / p }'
