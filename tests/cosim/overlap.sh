#!/bin/sh
# overlap.sh - overlap coverage of the head-step pipeline (make test-cosim;
# docs/rtl.md s5): sums the "overlap FRONT BACK CYCLES", "smx SMX PART
# STAGE CYCLES" and "vsel VSEL PART STAGE CYCLES" lines that
# tests/cosim/run.sh collected from every co-sim run (OVERLAP_LOG) and
# checks that the regression traces together reach every pair of stages
# of two parts (front end x back end, ctl_smx x front end, ctl_smx x back
# end, ctl_vsel x ctl_smx, ctl_vsel x back end) the pipeline allows, and
# no pair its hazard rules forbid. Prints the summed tables; fails naming
# the pairs not reached (or reached against a rule). The "prefetch FRONT CYCLES" lines
# (the K prefetch walk of the next head-step requesting rows while the
# running head-step's front end is in stage FRONT; kv_buffers 2) must reach
# qk, sm_wait, requant and prune_hold (the next layer's first head-step
# fetched during the layer-end drain, where no pruning selection runs there).
# Usage: overlap.sh LOG
set -u
LOG=${1:?usage: overlap.sh LOG}
[ -s "$LOG" ] || { echo "overlap: FAIL: no coverage lines in $LOG"; exit 1; }
awk '
# the cells of one table row: " NAME=MARK COUNT" for each column N[1..n] of
# the pair key PRE NAME (* required, ! forbidden)
function cells(pre, N, n,    i, k, m, s) {
  s = ""
  for (i = 1; i <= n; i++) {
    k = pre N[i]
    m = (k in req) ? "*" : ((k in bad) ? "!" : " ")
    s = s sprintf(" %s=%s%d", N[i], m, c[k] + 0)
  }
  return s
}
BEGIN {
  nf = split("idle q_fetch qk sm_wait requant prune_hold", F, " ")
  nb = split("idle v_fetch pv out", B, " ")
  nx = split("idle hold stream hand", X, " ")
  nv = split("idle select hand", V, " ")
  # front end x back end: required, as the rules allow (docs/rtl.md s5)
  for (f = 2; f <= 5; f++) for (b = 1; b <= nb; b++) req[F[f] " " B[b]] = 1
  for (b = 1; b <= nb; b++) req["prune_hold " B[b]] = 1
  # ctl_smx x back end: the stream of i+2 (or its hand-over wait) beside
  # the V walk, pv and output of i; held (the selection of i+1 reads the
  # keys) beside the same
  for (b = 1; b <= nb; b++) { req["x stream b " B[b]] = 1; req["x hand b " B[b]] = 1; req["x hold b " B[b]] = 1 }
  # ctl_vsel x ctl_smx: a stream never beside a selection (the key buffer
  # hazard), a hold only beside one
  # (ctl_smx takes its next head-step only by handing one to ctl_vsel)
  req["v select s hold"] = 1; req["v select s idle"] = 1
  bad["v select s stream"]; bad["v select s hand"]; bad["v idle s hold"]; bad["v hand s hold"]
  req["v idle s stream"] = 1; req["v idle s hand"] = 1; req["v hand s stream"] = 1; req["v hand s hand"] = 1
  # ctl_vsel x back end: the selection of i+1 beside the V walk, pv and
  # output of i, and its hand-over wait beside them
  for (b = 1; b <= nb; b++) { req["v select b " B[b]] = 1; req["v hand b " B[b]] = 1 }
  # ctl_smx x front end: the next head-step starts beside the stream
  split("q_fetch qk", x, " ")
  for (i in x) { req["x hold f " x[i]] = 1; req["x stream f " x[i]] = 1; req["x hand f " x[i]] = 1 }
  split("sm_wait prune_hold", x, " ")
  for (i in x) { req["x hold f " x[i]] = 1; req["x stream f " x[i]] = 1; req["x hand f " x[i]] = 1 }
  req["x hand f requant"] = 1
  # a decision of i+1 (its requant pass) only after the stream of i
  bad["x hold f requant"]; bad["x stream f requant"]
  split("qk sm_wait requant prune_hold", x, " ")
  for (i in x) preq[x[i]] = 1
}
$1 == "prefetch" && NF == 3 { pc[$2] += $3 }
$1 == "overlap" && NF == 4 { c[$2 " " $3] += $4 }
$1 == "smx" && NF == 5 { c["x " $2 " " substr($3, 1, 1) " " $4] += $5 }
$1 == "vsel" && NF == 5 { c["v " $2 " " substr($3, 1, 1) " " $4] += $5 }
END {
  print "OVERLAP COVERAGE over the regression (busy cycles; * required, ! forbidden)"
  print "front end x back end"
  for (f = 1; f <= nf; f++) {
    print sprintf("  %-10s", F[f]) cells(F[f] " ", B, nb)
  }
  print "ctl_smx x front end | ctl_smx x back end"
  for (xi = 1; xi <= nx; xi++) {
    print sprintf("  %-6s", X[xi]) cells("x " X[xi] " f ", F, nf) " |" cells("x " X[xi] " b ", B, nb)
  }
  print "ctl_vsel x ctl_smx | ctl_vsel x back end"
  for (vi = 1; vi <= nv; vi++) {
    print sprintf("  %-6s", V[vi]) cells("v " V[vi] " s ", X, nx) " |" cells("v " V[vi] " b ", B, nb)
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
