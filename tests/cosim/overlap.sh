#!/bin/sh
# overlap.sh - overlap coverage of the head-step pipeline (make test-cosim;
# docs/rtl.md s5): sums the "overlap FRONT BACK CYCLES" lines that
# tests/cosim/run.sh collected from every co-sim run (OVERLAP_LOG) and
# checks that the regression traces together reach every pair of a front-end
# stage and a back-end stage the pipeline allows, and no pair its hazard
# rules forbid. Prints the summed table; fails naming the pairs not reached
# (or reached against a rule). The "prefetch FRONT CYCLES" lines (the K
# prefetch walk of the next head-step requesting rows while the running
# head-step's front end is in stage FRONT; kv_buffers 2) must reach qk,
# sm_wait, requant and prune_hold (the next layer's first head-step fetched
# during the layer-end drain, where no pruning selection runs there).
# Usage: overlap.sh LOG
set -u
LOG=${1:?usage: overlap.sh LOG}
[ -s "$LOG" ] || { echo "overlap: FAIL: no coverage lines in $LOG"; exit 1; }
awk '
BEGIN {
  nf = split("idle q_fetch qk sm_wait requant hold stream hand prune_hold", F, " ")
  nb = split("idle value_topk v_fetch pv out", B, " ")
  # required: both parts named, as the rules allow (docs/rtl.md s5)
  for (f = 2; f <= 5; f++) for (b = 1; b <= nb; b++) req[F[f] " " B[b]] = 1
  delete req["q_fetch pv"]; delete req["q_fetch out"]   # allowed, not reachable here (docs/rtl.md s5)
  req["hold value_topk"] = 1
  split("idle v_fetch pv out", x, " ")
  for (i in x) { req["stream " x[i]] = 1; req["hand " x[i]] = 1 }
  for (b = 1; b <= nb; b++) req["prune_hold " B[b]] = 1
  # forbidden by the hazard rules
  bad["hold idle"]; bad["hold v_fetch"]; bad["hold pv"]; bad["hold out"]
  bad["stream value_topk"]; bad["hand value_topk"]
  split("qk sm_wait requant prune_hold", x, " ")
  for (i in x) preq[x[i]] = 1
}
$1 == "prefetch" && NF == 3 { pc[$2] += $3 }
$1 == "overlap" && NF == 4 { c[$2 " " $3] += $4; runs[$2 " " $3]++ }
END {
  print "OVERLAP COVERAGE over the regression (busy cycles; * required, ! forbidden)"
  for (f = 1; f <= nf; f++) {
    line = sprintf("  %-10s", F[f])
    for (b = 1; b <= nb; b++) {
      k = F[f] " " B[b]
      m = (k in req) ? "*" : ((k in bad) ? "!" : " ")
      line = line sprintf(" %s=%s%d", B[b], m, c[k] + 0)
    }
    print line
  }
  line = "  prefetch  "
  for (f = 1; f <= nf; f++) {
    m = (F[f] in preq) ? "*" : " "
    line = line sprintf(" %s=%s%d", F[f], m, pc[F[f]] + 0)
  }
  print "K PREFETCH of the next head-step by the running front end stage (busy cycles)"
  print line
  miss = ""; viol = ""; n = 0
  for (k in req) { n++; if (c[k] + 0 == 0) miss = miss " (" k ")" }
  for (k in bad) if (c[k] + 0 > 0) viol = viol " (" k ")"
  for (k in preq) { n++; if (pc[k] + 0 == 0) miss = miss " (prefetch " k ")" }
  if (miss != "" || viol != "") {
    if (miss != "") print "overlap: FAIL: pairs not reached:" miss
    if (viol != "") print "overlap: FAIL: pairs the hazard rules forbid, reached:" viol
    exit 1
  }
  print "overlap: PASS: all " n " required stage pairs (prefetch included) reached, none forbidden"
}' "$LOG"
