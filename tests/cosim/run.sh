#!/bin/sh
# run.sh - co-simulation regression (make test-cosim): the RTL against the C
# model on small synthetic encoder and decode traces and on the shipped
# real-model trace; every run must end with a PASS line (0 mismatches), and
# the per-unit cycle table (docs/rtl.md s9) must show the RTL's cycles equal
# to the C model's RTL schedule (cmodel/timing_rtl.c) for every unit: the
# work units (rule "exact": qk, softmax, requant, topk, pv, importance,
# prune), the memory job spans (fetch_k, fetch_k_lsb, fetch_v, write) and
# the total.
# Usage: run.sh CONFIG [--only] [TRACE FILES]; SPATTN_COSIM names the co-sim
# binary built for CONFIG; --only: the traces given replace the built-in list
# (the paper build runs one large trace, docs/rtl.md s9). OVERLAP_LOG: a
# file to which each passing run's overlap coverage lines are appended
# (tests/cosim/overlap.sh checks the sum).
set -u
COSIM=${SPATTN_COSIM:-build/sim/small/spattn_cosim}
CFG=${1:-tests/cosim/small.yaml}
TRACES="
synth:mode=decode,layers=4,heads=4,d=16,len=64,iters=3
synth:mode=encoder,layers=3,heads=2,d=16,len=24
synth:mode=decode,layers=2,heads=3,d=32,len=40,iters=4,peak=0.05,seed=7
synth:mode=encoder,layers=2,heads=2,d=32,len=48,peak=4,seed=3
synth:mode=decode,layers=1,heads=1,d=8,len=1,iters=5,seed=9
synth:mode=decode,layers=5,heads=5,d=24,len=90,iters=6,peak=0.3,seed=11
synth:mode=encoder,layers=4,heads=3,d=32,len=40,peak=2,seed=4
"
# further traces from the command line (the real-model trace for configs
# whose bit widths it fits)
[ $# -gt 0 ] && shift
if [ "${1:-}" = "--only" ]; then
  shift
  TRACES=""
fi
for x in "$@"; do TRACES="$TRACES $x"; done
fail=0
for t in $TRACES; do
  out=$("$COSIM" -c "$CFG" -t "$t" 2>/dev/null)
  rc=$?
  last=$(printf '%s\n' "$out" | tail -n 1)
  case "$last" in
    PASS*) echo "cosim PASS  $CFG $t :: ${last#PASS }"
           # the overlap coverage table, summed over the regression by overlap.sh
           [ -n "${OVERLAP_LOG:-}" ] && printf '%s\n' "$out" | grep '^overlap \|^prefetch \|^smx \|^vsel ' >>"$OVERLAP_LOG" ;;
    *) echo "cosim FAIL  $CFG $t (exit $rc)"; printf '%s\n' "$out" | tail -n 3; fail=1; continue ;;
  esac
  # cycle agreement (docs/rtl.md s9): every unit and the total equal to
  # the C model's RTL schedule (cmodel/timing_rtl.c): the 7 "exact" units,
  # the 4 memory units (job spans) and the total
  cmp=$(printf '%s\n' "$out" | awk '
    $1 == "timing" && $NF == "exact" { n++; if ($3 != $4) bad = bad " " $2 "(rtl " $3 " c " $4 ")" }
    $1 == "timing" && $NF == "schedule" && $2 != "total" { m++; if ($3 != $4) bad = bad " " $2 "(rtl " $3 " c " $4 ")" }
    $1 == "timing" && $2 == "total" { tot++; if ($3 != $4) bad = bad " total(rtl " $3 " c " $4 ")" }
    END { if (n != 7 || m != 4 || tot != 1) print "missing rows (" n + 0 " exact of 7, " m + 0 " memory of 4, " tot + 0 " total of 1)"
          else if (bad != "") print "differ:" bad }')
  if [ -n "$cmp" ]; then
    echo "cycles FAIL $CFG $t :: $cmp"; fail=1
  else
    echo "cycles PASS $CFG $t :: qk softmax requant topk pv importance prune, fetch_k fetch_k_lsb fetch_v write and total equal"
  fi
done
[ $fail -eq 0 ] && echo "test-cosim: $CFG: all traces PASS" || echo "test-cosim: $CFG: FAILED"
exit $fail
