#!/bin/sh
# cli.sh - spattn_cosim command-line checks (make test-cosim): bad input
# gives one message line naming what is wrong, exit status 2 and no output
# file; the same inputs give the same stats.json bytes; --waves writes an
# FST file, also through `spattn run --engine cosim|rtl --waves`, that
# fst2vcd reads back (1 ps units, 2 per clock period); the rtl engine
# alone reports the same RTL cycles as the co-sim.
set -u
COSIM=${SPATTN_COSIM:-build/sim/small/spattn_cosim}
CFG=tests/cosim/small.yaml
T=synth:mode=decode,layers=3,heads=2,d=16,len=20,iters=2
W=build/sim/cli-check
rm -rf "$W" && mkdir -p "$W"
fail=0
bad() {  # expected-substring args...
  want=$1; shift
  err=$("$COSIM" "$@" -o "$W/bad" 2>&1 >/dev/null); rc=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -q -- "$want" || [ -e "$W/bad" ]; then
    echo "cli FAIL: $* -> exit $rc, $lines lines: $err"; fail=1
  else
    echo "cli ok: bad input -> $err"
  fi
}
bad "cannot open config" -c "$W/none.yaml" -t "$T"
bad "unknown key 'foo'" -c "$CFG" -t synth:foo=1
bad "exceeds the hardware D" -c "$CFG" -t synth:d=64
bad "the K buffer holds" -c "$CFG" -t synth:mode=decode,d=16,len=200
bad "unknown engine" -c "$CFG" -t "$T" --engine warp
bad "unknown option" -c "$CFG" -t "$T" --bogus 1
bad "rebuild with make cosim" -c configs/default.yaml -t "$T"
bad "the RTL has no fixed token budgets" -c tests/cosim/budget.yaml -t "$T"
# determinism: two runs, same bytes
"$COSIM" -c "$CFG" -t "$T" -o "$W/a" >/dev/null 2>&1 && "$COSIM" -c "$CFG" -t "$T" -o "$W/b" >/dev/null 2>&1 \
  && cmp -s "$W/a/stats.json" "$W/b/stats.json" && echo "cli ok: stats.json identical over two runs" \
  || { echo "cli FAIL: stats.json differs between two runs (or a run failed)"; fail=1; }
# waves
"$COSIM" -c "$CFG" -t "$T" --waves "$W/w.fst" >/dev/null 2>&1
if [ -s "$W/w.fst" ]; then echo "cli ok: --waves wrote $(wc -c < "$W/w.fst") bytes of FST"; else echo "cli FAIL: no FST"; fail=1; fi
# waves of the rtl engine, read back (docs/rtl.md s4: time unit 1 ps, one
# clock period = 2 units, rising edge k of the harness at time 2k + 1)
wv=$("$COSIM" -c "$CFG" -t "$T" --engine rtl --waves "$W/r.fst" 2>/dev/null | tail -n 1)
wc=$(printf '%s\n' "$wv" | sed -n 's/.*rtl_cycles=\([0-9]*\) init_cycles=\([0-9]*\).*/\1 \2/p')
if [ ! -s "$W/r.fst" ] || [ -z "$wc" ]; then
  echo "cli FAIL: --engine rtl --waves wrote no FST or no DONE line ($wv)"; fail=1
elif command -v fst2vcd >/dev/null 2>&1; then
  # the rising edges of clk_i: odd times, one per 2 units, at least the run's cycles
  chk=$(fst2vcd "$W/r.fst" 2>/dev/null | awk -v want="$wc" '
    /^\$timescale/ { ts = 1 } ts && $1 ~ /ps$/ { unit = $1; ts = 0 }
    $1 == "$var" && $5 == "clk_i" && !clk { clk = $4 }
    /^#/ { t = substr($0, 2) + 0 }
    clk != "" && $0 == "1" clk { n++; if (t % 2 != 1 || (n > 1 && t != last + 2)) bad++; last = t }
    END { split(want, w, " "); if (unit != "1ps" || n < w[1] + w[2] || bad) print "unit " unit ", " n " rising edges, " bad + 0 " off the 2-unit grid"; else print "ok " n }')
  case "$chk" in
    ok*) echo "cli ok: --engine rtl --waves: fst2vcd reads it; timescale 1ps, ${chk#ok } rising clock edges 2 units apart" ;;
    *) echo "cli FAIL: --engine rtl --waves: $chk"; fail=1 ;;
  esac
else
  # no fst2vcd (gtkwave): the FST header block (type 0, 329 bytes long)
  hdr=$(od -A n -t x1 -N 9 "$W/r.fst" | tr -d ' \n')
  if [ "$hdr" = "000000000000000149" ]; then echo "cli ok: --engine rtl --waves: FST header block present (fst2vcd not installed)"
  else echo "cli FAIL: --engine rtl --waves: not an FST header ($hdr)"; fail=1; fi
fi
# spattn run --engine cosim --waves FILE.fst hands --waves to this co-sim
S=${SPATTN:-build/spattn}
if [ -x "$S" ]; then
  SPATTN_COSIM=$COSIM "$S" run -c "$CFG" -t "$T" --engine cosim --waves "$W/s.fst" -o "$W/s" >/dev/null 2>&1
  if [ -s "$W/s.fst" ] && [ -s "$W/s/stats.json" ]; then echo "cli ok: spattn run --engine cosim --waves wrote $(wc -c < "$W/s.fst") bytes of FST"
  else echo "cli FAIL: spattn run --engine cosim --waves wrote no FST or no stats.json"; fail=1; fi
  SPATTN_COSIM=$COSIM "$S" run -c "$CFG" -t "$T" --engine rtl --waves "$W/t.fst" -o "$W/t" >/dev/null 2>&1
  if [ -s "$W/t.fst" ] && [ -s "$W/t/stats.json" ]; then echo "cli ok: spattn run --engine rtl --waves wrote $(wc -c < "$W/t.fst") bytes of FST"
  else echo "cli FAIL: spattn run --engine rtl --waves wrote no FST or no stats.json"; fail=1; fi
  # the run command passes the co-sim's refusal of fixed token budgets on: one line, exit 2, no output
  for eng in cosim rtl; do
    err=$(SPATTN_COSIM=$COSIM "$S" run -c tests/cosim/budget.yaml -t "$T" --engine $eng -o "$W/bud" 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 2 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] && printf '%s' "$err" | grep -q "no fixed token budgets" \
       && [ ! -e "$W/bud" ]; then echo "cli ok: spattn run --engine $eng refuses budgets -> $err"
    else echo "cli FAIL: spattn run --engine $eng with budgets -> exit $rc: $err"; fail=1; fi
  done
else
  echo "cli: spattn --waves check skipped: $S is not built (make)"
fi
# the rtl engine alone: same RTL cycle count as the co-sim
c1=$("$COSIM" -c "$CFG" -t "$T" 2>/dev/null | tail -n 1 | sed -n 's/.*rtl_cycles=\([0-9]*\).*/\1/p')
c2=$("$COSIM" -c "$CFG" -t "$T" --engine rtl 2>/dev/null | tail -n 1 | sed -n 's/.*rtl_cycles=\([0-9]*\).*/\1/p')
c3=$("$COSIM" -c "$CFG" -t "$T" --harness plain 2>/dev/null | tail -n 1 | sed -n 's/.*rtl_cycles=\([0-9]*\).*/\1/p')
if [ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "$c1" = "$c3" ]; then echo "cli ok: $c1 RTL cycles in cosim, rtl and plain-loop runs"
else echo "cli FAIL: RTL cycles cosim '$c1' rtl '$c2' plain '$c3'"; fail=1; fi
[ $fail -eq 0 ] && echo "test-cosim: command line checks passed" || echo "test-cosim: command line checks FAILED"
exit $fail
