#!/bin/sh
# mutant.sh - make test-mutant-cosim: the co-sim binary built with
# +define+SPATTN_MUTANT_TOPK_TIE (rtl/topk.v: ties go to the higher
# position) must FAIL with a readable first-mismatch line; this script
# succeeds only if it does.
set -u
COSIM=${SPATTN_COSIM:-build/sim/mutant/spattn_cosim}
# a flat trace (peak 0.05) gives many equal probabilities, so top-k ties
T=synth:mode=decode,layers=2,heads=2,d=16,len=48,iters=2,peak=0.05,seed=5
out=$("$COSIM" -c tests/cosim/small.yaml -t "$T" 2>/dev/null)
rc=$?
printf '%s\n' "$out" | grep -E '^(MISMATCH|PASS|FAIL)'
case "$(printf '%s\n' "$out" | tail -n 1)" in
  FAIL*)
    if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -q '^MISMATCH unit='; then
      echo "test-mutant-cosim: the co-sim caught the top-k tie-break mutant"; exit 0
    fi ;;
esac
echo "test-mutant-cosim: the mutant was NOT caught (exit $rc)"
exit 1
