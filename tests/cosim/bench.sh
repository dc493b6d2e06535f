#!/bin/sh
# bench.sh - make bench-cosim: co-sim speed on the default config. Runs the
# same RTL and memory model on one trace three ways: the SystemC harness
# with the lock-step checker (engine cosim), the SystemC harness alone
# (engine rtl) and a plain C++ loop (--harness plain), and prints cycles/s
# and the SystemC/plain ratio. The binary is built -O3 --x-assign fast
# --x-initial fast (mk/sim.mk).
set -u
COSIM=${SPATTN_COSIM:-build/sim/spattn_cosim}
CFG=${COSIM_CONFIG:-configs/default.yaml}
# 122 + 6 tokens: configs/default.yaml's K buffer slot holds 128 keys (two
# slots of 16 KB, hardware.kv_buffers 2; docs/rtl.md s1)
T=${COSIM_BENCH_TRACE:-synth:mode=decode,layers=6,heads=8,d=64,len=122,iters=6,seed=1}
rate() { sed -n 's/.*: \([0-9]*\) cycles\/s.*/\1/p'; }
c=$("$COSIM" -c "$CFG" -t "$T" --engine cosim 2>&1 >/dev/null | rate)
s=$("$COSIM" -c "$CFG" -t "$T" --engine rtl 2>&1 >/dev/null | rate)
p=$("$COSIM" -c "$CFG" -t "$T" --harness plain 2>&1 >/dev/null | rate)
if [ -z "$c" ] || [ -z "$s" ] || [ -z "$p" ]; then echo "bench-cosim: a run failed"; exit 1; fi
echo "bench-cosim: $CFG, $T"
echo "bench-cosim: cosim (SystemC + checker) $c cycles/s"
echo "bench-cosim: rtl   (SystemC harness)   $s cycles/s"
echo "bench-cosim: plain (C++ loop)          $p cycles/s"
awk -v s="$s" -v p="$p" 'BEGIN { printf "bench-cosim: SystemC harness / plain loop speed ratio %.3f\n", s / p }'
