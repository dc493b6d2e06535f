#!/bin/bash
# test_sweep_resume.sh - the sweep journal end to end (docs/sweep.md
# "Journal and resume"): a sweep killed part way (SIGKILL, then SIGINT)
# and run again with the same command writes a sweep.csv and sweep.json
# byte-identical to an uninterrupted run's, running only the points the
# journal lacks; a torn last journal line is dropped; a changed config is
# refused; the output does not depend on -j.
# Run from the project root: SPATTN=build/spattn tests/test_sweep_resume.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$PWD
TRACE=synth:layers=4,heads=4,d=64,len=1016,iters=8,seed=1
TD=$(mktemp -d /tmp/spattn-test-resume.XXXXXX)
trap 'rm -rf "$TD"' EXIT
fails=0 checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }

cat >"$TD/sweep.yaml" <<EOF
include: $ROOT/configs/paper.yaml
sweep:
  axes:
    - key: algorithm.token_keep
      values: [0.5, 0.7, 0.9, 1.0]
    - key: algorithm.value_keep
      values: [0.2, 0.5, 1.0]
    - key: hardware.qk_multipliers
      values: [256, 1024]
EOF
NPTS=24

# the reference: one uninterrupted run on one thread
TARGS=(-t $TRACE)
REF=ref
"$BIN" sweep -c "$TD/sweep.yaml" -t $TRACE -o "$TD/ref" -j 1 --no-plots >"$TD/ref.out" 2>&1 ||
    { echo "FAIL: reference sweep: $(cat "$TD/ref.out")"; exit 1; }
[ -e "$TD/ref.spattn-sweep-work" ] && bad "work directory left after a finished sweep" || ok

# same() DIR: sweep.csv and sweep.json equal the reference's
same() {
    for f in sweep.csv sweep.json; do
        if cmp -s "$TD/$REF/$f" "$1/$f"; then ok; else bad "$1/$f differs from the uninterrupted run's"; fi
    done
}

# interrupted SIG JOBS NAME: start, wait for >= 4 journal lines (header +
# 3 points), send SIG, then resume with the same command
interrupted() {
    local sig=$1 jobs=$2 out=$TD/$3
    local j=$out.spattn-sweep-work/journal
    "$BIN" sweep -c "$TD/sweep.yaml" "${TARGS[@]}" -o "$out" -j "$jobs" --no-plots >"$TD/kill.out" 2>&1 &
    local pid=$! lines=0
    for _ in $(seq 1 3000); do
        lines=$( [ -f "$j" ] && wc -l <"$j" || echo 0)
        [ "$lines" -ge 4 ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.01
    done
    if ! kill -0 $pid 2>/dev/null; then
        bad "$sig: the sweep ended before it could be interrupted ($lines journal lines)"
        return
    fi
    kill -s "$sig" $pid
    wait $pid 2>/dev/null
    local st=$?
    case $sig in KILL) want=137 ;; INT) want=130 ;; TERM) want=143 ;; esac
    [ $st -eq $want ] && ok || bad "$sig: exit status $st, want $want"
    [ -e "$out/sweep.csv" ] && bad "$sig: sweep.csv written by an interrupted sweep" || ok
    local done_before
    done_before=$(($(wc -l <"$j") - 1))
    [ "$done_before" -ge 3 ] && [ "$done_before" -lt $NPTS ] && ok ||
        bad "$sig: $done_before points in the journal after the interrupt"
    if [ "$sig" = KILL ]; then # a torn last line, as a kill mid-write leaves
        printf '7 0123456789abcdef {"csv":"7,0.5' >>"$j"
    fi
    "$BIN" sweep -c "$TD/sweep.yaml" "${TARGS[@]}" -o "$out" -j "$jobs" --no-plots >"$TD/resume.out" 2>&1
    st=$?
    [ $st -eq 0 ] && ok || bad "$sig: resume exit status $st: $(cat "$TD/resume.out")"
    local resumed
    resumed=$(sed -n 's/.*([0-9]* points, \([0-9]*\) resumed.*/\1/p' "$TD/resume.out")
    # every point done before the interrupt counts (the torn line did not)
    [ "$resumed" = "$done_before" ] && ok || bad "$sig: resumed '$resumed' points, journal held $done_before"
    same "$out"
    [ -e "$out.spattn-sweep-work" ] && bad "$sig: work directory left after the resumed sweep" || ok
}

interrupted KILL 1 kill1
interrupted KILL 2 kill2
interrupted INT 2 int2
interrupted TERM 1 term1

# several traces (48 points, the trace the outermost axis): the same
TRACE2=synth:layers=4,heads=4,d=64,len=1016,iters=8,seed=2
"$BIN" sweep -c "$TD/sweep.yaml" -t $TRACE -t $TRACE2 -o "$TD/ref2" -j 1 --no-plots >/dev/null 2>&1 && ok ||
    bad "two-trace sweep"
TARGS=(-t $TRACE -t $TRACE2)
REF=ref2
interrupted KILL 2 kill2t
# shards then a plain run: the plain run computes only the missing slice
"$BIN" sweep -c "$TD/sweep.yaml" "${TARGS[@]}" -o "$TD/sh" --shard 1/3 --no-plots >/dev/null 2>&1 && ok || bad "shard 1/3"
"$BIN" sweep -c "$TD/sweep.yaml" "${TARGS[@]}" -o "$TD/sh" -j 2 --no-plots >"$TD/sh.out" 2>&1 && ok || bad "after shard"
grep -q "(48 points, 16 resumed" "$TD/sh.out" && ok || bad "after shard 1/3: $(cat "$TD/sh.out")"
same "$TD/sh"
TARGS=(-t $TRACE)
REF=ref

# -j does not change a byte
"$BIN" sweep -c "$TD/sweep.yaml" -t $TRACE -o "$TD/j2" -j 2 --no-plots >/dev/null 2>&1 && ok || bad "-j 2 sweep"
same "$TD/j2"

# a journal of another sweep is refused, and nothing is written
"$BIN" sweep -c "$TD/sweep.yaml" -t $TRACE -o "$TD/other" -j 1 --no-plots >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
    [ -f "$TD/other.spattn-sweep-work/journal" ] && [ "$(wc -l <"$TD/other.spattn-sweep-work/journal")" -ge 2 ] && break
    sleep 0.01
done
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
sed 's/values: \[256, 1024\]/values: [256, 512]/' "$TD/sweep.yaml" >"$TD/changed.yaml"
"$BIN" sweep -c "$TD/changed.yaml" -t $TRACE -o "$TD/other" -j 1 --no-plots >"$TD/o.out" 2>"$TD/o.err"
st=$?
[ $st -eq 2 ] && ok || bad "changed config on a journal: exit status $st, want 2"
grep -q "was written by a different sweep" "$TD/o.err" && ok || bad "changed config: message '$(cat "$TD/o.err")'"
[ -e "$TD/other/sweep.csv" ] && bad "changed config: output written" || ok
[ "$(grep -c . "$TD/o.err")" -eq 1 ] && ok || bad "changed config: more than one line on stderr"

echo "test_sweep_resume: $checks checks, $fails failed"
[ $fails -eq 0 ]
