#!/bin/sh
# mutant.sh - make test-mutant-cosim: a co-sim binary built with a
# deliberate RTL defect must FAIL with a readable first-mismatch line that
# names the RTL cycle (exit 1, a "MISMATCH unit=... cycle=N:" line, a last
# line FAIL); a hang, a crash or a PASS fails this script.
#   mutant.sh topk-tie COSIM  +define+SPATTN_MUTANT_TOPK_TIE (rtl/topk.v: ties go to the higher position)
#   mutant.sh handoff COSIM   +define+SPATTN_MUTANT_HANDOFF (rtl/ctl_front.v: a kbuf line goes to qk one line early)
#   mutant.sh bank COSIM      +define+SPATTN_MUTANT_BANK (rtl/ctl_back.v: the back end reads the pbuf bank
#                             the front end writes, the next head-step's, not its own)
#   mutant.sh prefetch COSIM  +define+SPATTN_MUTANT_PREFETCH (rtl/ctl_fetch.v: the kbuf bank does not
#                             flip at a head-step's start: it reads the previous head-step's K rows,
#                             not those prefetched for it)
set -u
KIND=${1:-topk-tie}
COSIM=${2:-${SPATTN_COSIM:-build/sim/mutant/spattn_cosim}}
case "$KIND" in
  # a flat trace (peak 0.05) gives many equal probabilities, so top-k ties
  topk-tie) T=synth:mode=decode,layers=2,heads=2,d=16,len=48,iters=2,peak=0.05,seed=5
            what="the top-k tie-break mutant" ;;
  # any trace whose K rows arrive slower than qk takes kbuf lines
  handoff)  T=synth:mode=decode,layers=2,heads=2,d=16,len=48,iters=2,seed=5
            what="the kbuf-to-qk hand-off mutant (a line one line early)" ;;
  # any trace: the kept values' probabilities come from the other head-step
  bank)     T=synth:mode=decode,layers=2,heads=2,d=16,len=48,iters=2,seed=5
            what="the front-to-back pbuf hand-off mutant (the wrong head-step's bank)" ;;
  # any trace with two head-steps in a layer: the second reads the first one's K rows
  prefetch) T=synth:mode=decode,layers=2,heads=2,d=16,len=48,iters=2,seed=5
            what="the K slot hand-off mutant (a head-step reads the previous one's kbuf bank)" ;;
  *) echo "mutant.sh: unknown mutant '$KIND' (topk-tie, handoff, bank, prefetch)" >&2; exit 2 ;;
esac
out=$("$COSIM" -c tests/cosim/small.yaml -t "$T" 2>/dev/null)
rc=$?
printf '%s\n' "$out" | grep -E '^(MISMATCH|PASS|FAIL)'
case "$(printf '%s\n' "$out" | tail -n 1)" in
  FAIL*)
    if [ $rc -eq 1 ] && printf '%s\n' "$out" | grep -Eq '^MISMATCH unit=[a-z_]+ .* cycle=[0-9]+: '; then
      echo "test-mutant-cosim: the co-sim caught $what: $(printf '%s\n' "$out" | grep -E '^MISMATCH' | sed 's/^MISMATCH unit=\([a-z_]*\).* cycle=\([0-9]*\):.*/unit \1 at RTL cycle \2/')"
      exit 0
    fi ;;
esac
echo "test-mutant-cosim: $what was NOT caught with a MISMATCH line naming the cycle (exit $rc)"
exit 1
