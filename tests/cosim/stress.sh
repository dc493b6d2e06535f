#!/bin/sh
# stress.sh - co-sim on N pseudo-random synthetic traces (fixed seed, so the
# same list every run): random mode, layers, heads, d, length, iterations
# and peakedness within the buffers of CONFIG; each run must PASS and its
# cycle table (docs/rtl.md s9) show every unit and the total equal to the C
# model's RTL schedule. Usage: stress.sh CONFIG N SEED
set -u
COSIM=${SPATTN_COSIM:-build/sim/small/spattn_cosim}
CFG=${1:-tests/cosim/small.yaml}
N=${2:-20}
SEED=${3:-1}
fail=0
for t in $(awk -v n="$N" -v seed="$SEED" 'BEGIN {
    srand(seed); split("0.05 0.2 0.5 1 2 4 8", pk, " ");
    for (i = 0; i < n; i++) {
      L = 1 + int(rand() * 6); H = 1 + int(rand() * 6); d = 1 + int(rand() * 32);
      p = pk[1 + int(rand() * 7)]; s = int(rand() * 100000);
      if (rand() < 0.5) {
        len = 1 + int(rand() * 90); it = 1 + int(rand() * 30); if (len + it > 128) it = 128 - len;
        printf "synth:mode=decode,layers=%d,heads=%d,d=%d,len=%d,iters=%d,peak=%s,seed=%d\n", L, H, d, len, it, p, s
      } else {
        len = 1 + int(rand() * 40);
        printf "synth:mode=encoder,layers=%d,heads=%d,d=%d,len=%d,peak=%s,seed=%d\n", L, H, d, len, p, s
      }
    } }'); do
  out=$("$COSIM" -c "$CFG" -t "$t" 2>&1)
  last=$(printf '%s\n' "$out" | tail -n 1)
  [ -n "${VERBOSE:-}" ] && echo "$t :: $last"
  case "$last" in
    PASS*) ;;
    *) echo "stress FAIL $CFG $t"; printf '%s\n' "$out" | grep -E '^(MISMATCH|spattn_cosim:)' | head -n 2; fail=1; continue ;;
  esac
  # every unit and the total equal (12 rows)
  cmp=$(printf '%s\n' "$out" | awk '$1 == "timing" && $2 != "unit" && $2 != "total_config" { n++; if ($3 != $4) bad = bad " " $2 "(rtl " $3 " c " $4 ")" }
    END { if (n != 12) print "missing rows (" n + 0 " of 12)"; else if (bad != "") print "differ:" bad }')
  if [ -n "$cmp" ]; then
    echo "stress cycles FAIL $CFG $t :: $cmp"; fail=1
  fi
done
[ $fail -eq 0 ] && echo "test-cosim: $CFG: $N random traces PASS, every unit and total equal" || echo "test-cosim: $CFG: random traces FAILED"
exit $fail
