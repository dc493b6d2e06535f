#!/bin/bash
# test_outdir.sh - what spattn writes and removes, end to end: hostile
# names never reach gnuplot as code, the -o rules (only a directory
# spattn wrote is replaced; no symbolic links, no inputs inside; atomic
# swap; any valid name), SIGINT / SIGTERM / SIGKILL during run, sweep and
# trace gen, a full disk (a small tmpfs; root only) and a failing stdout.
# Run from the project root: SPATTN=build/spattn tests/test_outdir.sh
set -u
BIN=${SPATTN:-build/spattn}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROOT=$PWD
CFG=$ROOT/configs/default.yaml
SWEEP_CFG=$ROOT/configs/sweep-pruning.yaml
SMALL=synth:mode=encoder,layers=2,heads=2,d=32,len=48
# long runs on configs/paper.yaml, whose K slot holds 1024 keys (default.yaml's 128)
SLOW_CFG=$ROOT/configs/paper.yaml
SLOW=synth:mode=decode,layers=12,heads=12,d=64,len=1016,iters=8
SLOW_SWEEP=synth:layers=4,heads=4,d=64,len=1016,iters=8,seed=1
BIG=synth:mode=encoder,layers=12,heads=12,d=64,len=1024
TD=$(mktemp -d /tmp/spattn-test-outdir.XXXXXX)
fails=0 checks=0
MOUNTED=

cleanup() {
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    rm -rf "$TD"
}
trap cleanup EXIT

ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*"; }
check() { # check "what" command...
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

# spattn ARGS: exit status in $rc, stdout in $TD/out.txt, stderr in $TD/err.txt
sp() {
    "$BIN" "$@" >"$TD/out.txt" 2>"$TD/err.txt"
    rc=$?
}

# the bad-input contract: exit 2 and exactly the one stderr line WANT
expect_refused() { # expect_refused "what" "want" ARGS...
    local what=$1 want=$2
    shift 2
    sp "$@"
    check "$what: exit 2 (got $rc)" [ "$rc" = 2 ]
    check "$what: one stderr line" [ "$(wc -l <"$TD/err.txt")" = 1 ]
    if [ "$(cat "$TD/err.txt")" != "$want" ]; then
        bad "$what: stderr is '$(cat "$TD/err.txt")', want '$want'"
    else ok; fi
}

no_tmp() { # no temporary entries left in DIR
    [ -z "$(find "$1" -maxdepth 1 -name '.spattn-tmp-*' -print -quit)" ]
}
has_tmp() { ! no_tmp "$1"; }

png_ok() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && \
           [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 49454e44ae426082 ]; }
svg_ok() { tail -c 20 "$1" | grep -q '</svg>'; }

plots_ok() { # DIR NAME... : NAME.png and NAME.svg complete
    local d=$1 n
    shift
    for n in "$@"; do
        check "$d/$n.png complete" png_ok "$d/$n.png"
        check "$d/$n.svg complete" svg_ok "$d/$n.svg"
    done
}

# waits (up to 60 s) until DIR holds a temporary entry
wait_tmp() {
    local i
    for i in $(seq 1 6000); do
        [ -n "$(find "$1" -maxdepth 1 -name '.spattn-tmp-*' -print -quit 2>/dev/null)" ] && return 0
        sleep 0.01
    done
    return 1
}

echo "== hostile names: run and sweep plots"
H=$TD/hostile
mkdir -p "$H"
NAME="a\`touch PWNED1\`\$(touch PWNED2);touch PWNED3;\"x'y"$'\n'"z"
sp trace gen "$SMALL" -o "$H/$NAME.safetensors"
check "trace gen of a hostile name (rc $rc)" [ "$rc" = 0 ]
mkdir -p "$H/cfg\$(touch PWNED4)"
cp "$ROOT/configs/paper.yaml" "$H/cfg\$(touch PWNED4)/"
cp "$CFG" "$H/cfg\$(touch PWNED4)/c\`touch PWNED5\`;'\".yaml"
HCFG="$H/cfg\$(touch PWNED4)/c\`touch PWNED5\`;'\".yaml"
sp run -c "$HCFG" -t "$H/$NAME.safetensors" -o "$H/run"
check "run with hostile names (rc $rc: $(cat "$TD/err.txt"))" [ "$rc" = 0 ]
plots_ok "$H/run" cycles energy dram
check "run title names the trace" grep -q 'touch PWNED1' "$H/run/cycles.svg"
check "run scripts hold no name" sh -c "! grep -l PWNED '$H'/run/*.gp"
sp sweep -c "$SWEEP_CFG" -t "$H/$NAME.safetensors" -o "$H/sweep\`touch PWNED6\`"
check "sweep with hostile names (rc $rc: $(cat "$TD/err.txt"))" [ "$rc" = 0 ]
plots_ok "$H/sweep\`touch PWNED6\`" pareto_energy_cycles pareto_accuracy_energy
check "sweep title names the trace" grep -q 'touch PWNED1' "$H/sweep\`touch PWNED6\`/pareto_energy_cycles.svg"
check "no payload ran" [ -z "$(find "$TD" "$ROOT" -maxdepth 3 -name 'PWNED*' -print -quit)" ]

echo "== -o rules"
O=$TD/o
mkdir -p "$O"
sp run -c "$CFG" -t "$SMALL" -o "$O/res"
check "first run (rc $rc)" [ "$rc" = 0 ]
sp run -c "$CFG" -t "$SMALL" -o "$O/res"
check "rerun replaces its own output (rc $rc)" [ "$rc" = 0 ]
check "no temporary left" no_tmp "$O"
# a spattn output that also holds a user file
echo precious >"$O/res/notes.txt"
expect_refused "marker dir + user file" \
    "spattn: output directory '$O/res' holds 'notes.txt', which spattn did not write there; choose another -o or move it out" \
    run -c "$CFG" -t "$SMALL" -o "$O/res"
check "user file kept" grep -q precious "$O/res/notes.txt"
rm "$O/res/notes.txt"
mkdir "$O/res/sub"
expect_refused "marker dir + subdirectory" \
    "spattn: output directory '$O/res' holds 'sub', which spattn did not write there; choose another -o or move it out" \
    run -c "$CFG" -t "$SMALL" -o "$O/res"
rmdir "$O/res/sub"
# a directory without the marker
mkdir "$O/mine" && echo precious >"$O/mine/thesis.tex"
expect_refused "foreign directory" \
    "spattn: output directory '$O/mine' exists and was not written by spattn; choose another -o or remove it" \
    run -c "$CFG" -t "$SMALL" -o "$O/mine"
check "foreign file kept" grep -q precious "$O/mine/thesis.tex"
# a symbolic link to an earlier result (and one with a trailing slash)
cp -r "$O/res" "$O/before"
ln -s res "$O/link"
for l in "$O/link" "$O/link/"; do
    expect_refused "symlink $l" \
        "spattn: output '$O/link' is a symbolic link; spattn does not replace through links (give the directory itself or another -o)" \
        run -c "$CFG" -t "$SMALL" -o "$l"
done
check "link still a link" [ -L "$O/link" ]
check "link target unchanged" diff -r "$O/res" "$O/before"
check "no link.old leftovers" [ -z "$(find "$O" -maxdepth 1 -name 'link.*' -print -quit)" ]
# inputs inside the output directory
sp trace gen "$SMALL" -o "$O/t.safetensors"
cp "$O/t.safetensors" "$O/res/t.safetensors"
cp "$CFG" "$O/res/c.yaml"
cp "$ROOT/configs/paper.yaml" "$O/res/paper.yaml"
expect_refused "trace and config inside -o" \
    "spattn: input '$O/res/c.yaml' lies inside the output directory, which the run replaces; choose another -o" \
    run -c "$O/res/c.yaml" -t "$O/res/t.safetensors" -o "$O/res"
expect_refused "trace inside -o" \
    "spattn: input '$O/res/t.safetensors' lies inside the output directory, which the run replaces; choose another -o" \
    sweep -c "$SWEEP_CFG" -t "$O/res/t.safetensors" -o "$O/res"
printf 'include: res/paper.yaml\n' >"$O/inc.yaml"
expect_refused "include inside -o" \
    "spattn: input '$O/res/paper.yaml' lies inside the output directory, which the run replaces; choose another -o" \
    run -c "$O/inc.yaml" -t "$SMALL" -o "$O/res"
for f in t.safetensors c.yaml paper.yaml; do check "input $f kept" [ -s "$O/res/$f" ]; done
W=$ROOT/../shared/workloads
if [ -f "$W/gpt2-small-wikitext2-pruned.csv" ]; then
    mkdir -p "$O/wl"
    sp run -c "$SLOW_CFG" -t "$W/gpt2-small-wikitext2-pruned.csv" -o "$O/wl/out"
    cp "$W/gpt2-small-wikitext2-dense.csv" "$O/wl/out/dense.csv"
    expect_refused "baseline inside -o" \
        "spattn: input '$O/wl/out/dense.csv' lies inside the output directory, which the run replaces; choose another -o" \
        run -c "$SLOW_CFG" -t "$W/gpt2-small-wikitext2-pruned.csv" --baseline "$O/wl/out/dense.csv" -o "$O/wl/out"
else
    echo "skip: baseline inside -o ($W/gpt2-small-wikitext2-pruned.csv not found)"
fi
# nested results: the outer run is refused, the inner one kept
sp run -c "$CFG" -t "$SMALL" -o "$O/outer"
sp run -c "$CFG" -t "$SMALL" -o "$O/outer/inner"
expect_refused "output holding another output" \
    "spattn: output directory '$O/outer' holds 'inner', which spattn did not write there; choose another -o or move it out" \
    run -c "$CFG" -t "$SMALL" -o "$O/outer"
check "inner result kept" [ -s "$O/outer/inner/stats.json" ]
# any valid name: 250 characters
LONG=$(printf 'n%.0s' $(seq 1 250))
sp run -c "$CFG" -t "$SMALL" -o "$O/$LONG"
check "250-character -o (rc $rc: $(cat "$TD/err.txt"))" [ "$rc" = 0 ]
sp run -c "$CFG" -t "$SMALL" -o "$O/$LONG"
check "250-character -o again (rc $rc)" [ "$rc" = 0 ]
sp trace gen "$SMALL" -o "$O/${LONG:0:238}.safetensors"
check "250-character trace gen -o (rc $rc: $(cat "$TD/err.txt"))" [ "$rc" = 0 ]
check "no temporary left" no_tmp "$O"
# an empty directory is taken
mkdir "$O/empty"
sp run -c "$CFG" -t "$SMALL" -o "$O/empty"
check "empty directory taken (rc $rc)" [ "$rc" = 0 ]

echo "== README commands in order"
R=$TD/readme
mkdir -p "$R/out"
cd "$R" || exit 1
ln -s "$ROOT/configs" configs
mkdir traces && ln -s "$ROOT/traces/data" traces/data
ln -s "$ROOT/../shared" "$TD/shared" # README's ../shared/workloads
"$BIN" trace gen synth:mode=encoder,layers=6,heads=12,d=32,len=128,seed=3 -o t.safetensors >/dev/null
# the lines of README.md's "Using it" block that write an output directory
grep -E '^    build/spattn (run|sweep) ' "$ROOT/README.md" | grep -v -- '--engine' |
    sed -e 's|^    build/spattn ||' >cmds.txt
n=0
while read -r line; do
    n=$((n + 1))
    eval "set -- $line"
    "$BIN" "$@" >/dev/null 2>"$TD/err.txt"
    r=$?
    [ "$r" = 0 ] || echo "  README command $n ($line): exit $r: $(cat "$TD/err.txt")"
    find out -name stats.json -o -name sweep.csv | sort >"found.$n"
done <cmds.txt
for i in $(seq 2 "$n"); do
    check "README command $i keeps every earlier result" sh -c "comm -23 found.$((i - 1)) found.$i | grep -q . && exit 1 || exit 0"
done
check "README commands ran ($n)" [ "$n" -ge 3 ]
cd "$ROOT" || exit 1

echo "== signals"
S=$TD/sig
mkdir -p "$S"
# interrupted compute phase: SIGINT and SIGTERM once the temporary exists
for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    "$BIN" run -c "$SLOW_CFG" -t "$SLOW" -o "$S/run$sig" >/dev/null 2>&1 &
    pid=$!
    check "run $sig: temporary appears" wait_tmp "$S"
    kill -$sig $pid
    wait $pid
    r=$?
    check "run $sig: exit $want (got $r)" [ "$r" = "$want" ]
    check "run $sig: no temporary left" no_tmp "$S"
    check "run $sig: no output" [ ! -e "$S/run$sig" ]
    "$BIN" sweep -c "$SWEEP_CFG" -t "$SLOW_SWEEP" -j 2 -o "$S/sweep$sig" >/dev/null 2>&1 &
    pid=$!
    check "sweep $sig: temporary appears" wait_tmp "$S"
    kill -$sig $pid
    wait $pid
    r=$?
    check "sweep $sig: exit $want (got $r)" [ "$r" = "$want" ]
    check "sweep $sig: no temporary left" no_tmp "$S"
    check "sweep $sig: no output" [ ! -e "$S/sweep$sig" ]
done
# interrupted while gnuplot runs: a gnuplot that waits stands in for a
# slow one; spattn must kill it and keep the old result
mkdir -p "$TD/slowgp"
printf '#!/bin/sh\necho $$ >"%s/gp.pid"\nexec sleep 60\n' "$TD" >"$TD/slowgp/gnuplot"
chmod +x "$TD/slowgp/gnuplot"
sp run -c "$CFG" -t "$SMALL" -o "$S/old"
cp -r "$S/old" "$S/old.copy"
for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    for cmd in run sweep; do
        rm -f "$TD/gp.pid"
        c=$CFG
        [ $cmd = sweep ] && c=$SWEEP_CFG
        PATH=$TD/slowgp:$PATH "$BIN" $cmd -c "$c" -t "$SMALL" -o "$S/old" >/dev/null 2>&1 &
        pid=$!
        for i in $(seq 1 6000); do [ -s "$TD/gp.pid" ] && break; sleep 0.01; done
        gp=$(cat "$TD/gp.pid" 2>/dev/null)
        check "$cmd $sig in gnuplot: gnuplot started" [ -n "$gp" ]
        kill -$sig $pid
        wait $pid
        r=$?
        check "$cmd $sig in gnuplot: exit $want (got $r)" [ "$r" = "$want" ]
        check "$cmd $sig in gnuplot: gnuplot stopped" sh -c "! kill -0 $gp 2>/dev/null"
        check "$cmd $sig in gnuplot: no temporary left" no_tmp "$S"
        check "$cmd $sig in gnuplot: old result kept" diff -r "$S/old" "$S/old.copy"
    done
done
# trace gen: the temporary file is removed
# (the temporary exists only while the file is written, about 0.1 s: on a
# loaded machine the signal may come after the program has finished; such
# a try tested nothing, so its output is removed and the try repeated)
for sig in INT TERM; do
    want=$([ $sig = INT ] && echo 130 || echo 143)
    for try in 1 2 3 4 5 6 7 8; do
        "$BIN" trace gen "$BIG" -o "$S/big$sig.safetensors" >/dev/null 2>&1 &
        pid=$!
        wait_tmp "$S"
        seen=$?
        kill -$sig $pid
        wait $pid
        r=$?
        [ "$r" = 0 ] && [ -e "$S/big$sig.safetensors" ] || break
        rm -f "$S/big$sig.safetensors"
    done
    check "trace gen $sig: temporary appears" [ "$seen" = 0 ]
    check "trace gen $sig: exit $want (got $r)" [ "$r" = "$want" ]
    check "trace gen $sig: no temporary left" no_tmp "$S"
    check "trace gen $sig: no output" [ ! -e "$S/big$sig.safetensors" ]
done
# SIGKILL: the next run to the same target removes the stale temporary
K=$TD/kill
mkdir -p "$K"
rm -f "$TD/gp.pid"
PATH=$TD/slowgp:$PATH "$BIN" run -c "$CFG" -t "$SMALL" -o "$K/res" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 6000); do [ -s "$TD/gp.pid" ] && break; sleep 0.01; done
{ kill -KILL $pid; wait $pid; } 2>/dev/null
kill -KILL "$(cat "$TD/gp.pid")" 2>/dev/null
check "SIGKILL leaves a stale temporary" has_tmp "$K"
sp run -c "$CFG" -t "$SMALL" -o "$K/res"
check "rerun after SIGKILL (rc $rc)" [ "$rc" = 0 ]
check "rerun after SIGKILL removed the stale temporary" no_tmp "$K"
"$BIN" trace gen "$BIG" -o "$K/t.safetensors" >/dev/null 2>&1 &
pid=$!
wait_tmp "$K"
{ kill -KILL $pid; wait $pid; } 2>/dev/null
check "trace gen SIGKILL leaves a stale temporary" has_tmp "$K"
sp trace gen "$SMALL" -o "$K/t.safetensors"
check "trace gen rerun after SIGKILL (rc $rc)" [ "$rc" = 0 ]
check "trace gen rerun removed the stale temporary" no_tmp "$K"
# a stale temporary holding a finished result (the old one after the swap)
# into which a user file went: only the files its marker lists are removed
st=$(find "$K" -maxdepth 1 -name 'res' -print -quit)
stale=$K/.spattn-tmp-$(python3 -c "
h = 2166136261
for c in b'res': h = ((h ^ c) * 16777619) & 0xffffffff
print('%08x' % h)")-999999-0
mkdir "$stale" && cp "$st/.spattn-output" "$st/stats.json" "$stale/" && echo precious >"$stale/mine.txt"
sp run -c "$CFG" -t "$SMALL" -o "$K/res"
check "stale result with a user file: run (rc $rc)" [ "$rc" = 0 ]
check "stale result with a user file: the user file stays" grep -q precious "$stale/mine.txt"
check "stale result with a user file: spattn's files removed" [ ! -e "$stale/stats.json" ]
rm "$stale/mine.txt"
sp run -c "$CFG" -t "$SMALL" -o "$K/res"
check "stale result, user file gone: removed" [ ! -e "$stale" ]

echo "== full disk"
if [ "$(id -u)" != 0 ]; then
    echo "skip: full-disk checks need root to mount a small tmpfs (running as uid $(id -u))"
elif ! mkdir -p "$TD/full" || ! mount -t tmpfs -o size=64k tmpfs "$TD/full" 2>"$TD/err.txt"; then
    echo "skip: cannot mount a tmpfs: $(cat "$TD/err.txt")"
else
    MOUNTED=$TD/full
    sp run -c "$CFG" -t "$SMALL" -o "$TD/full/res"
    check "full disk run: exit 2 (got $rc)" [ "$rc" = 2 ]
    check "full disk run: nothing committed" [ ! -e "$TD/full/res" ]
    check "full disk run: no temporary left" no_tmp "$TD/full"
    sp sweep -c "$SWEEP_CFG" -t "$SMALL" -o "$TD/full/sw"
    check "full disk sweep: exit 2 (got $rc)" [ "$rc" = 2 ]
    check "full disk sweep: nothing committed" [ ! -e "$TD/full/sw" ]
    check "full disk sweep: no temporary left" no_tmp "$TD/full"
    umount "$TD/full"
    MOUNTED=
    # sizes where the data fit and a plot may not: either a complete result
    # (exit 0, every plot complete) or exit 2 with nothing committed
    for size in 96k 128k 160k 192k 256k 320k 400k; do
        mount -t tmpfs -o size=$size tmpfs "$TD/full" && MOUNTED=$TD/full
        for cmd in run sweep; do
            c=$CFG
            [ $cmd = sweep ] && c=$SWEEP_CFG
            sp $cmd -c "$c" -t "$SMALL" -o "$TD/full/res"
            if [ "$rc" = 0 ]; then
                for f in "$TD"/full/res/*.png; do check "$size $cmd: $f complete" png_ok "$f"; done
                for f in "$TD"/full/res/*.svg; do check "$size $cmd: $f complete" svg_ok "$f"; done
            else
                check "$size $cmd: exit 2 (got $rc)" [ "$rc" = 2 ]
                check "$size $cmd: nothing committed" [ ! -e "$TD/full/res" ]
                echo "  $size $cmd: $(cat "$TD/err.txt")"
            fi
            check "$size $cmd: no 0-byte file" [ -z "$(find "$TD/full" -type f -size 0 -print -quit)" ]
            check "$size $cmd: no temporary left" no_tmp "$TD/full"
            rm -rf "$TD/full/res"
        done
        umount "$TD/full"
        MOUNTED=
    done
fi

echo "== stdout fails (>/dev/full)"
for args in "trace info $SMALL" "run -c $CFG -t $SMALL -o $TD/devfull" "sweep -c $SWEEP_CFG -t $SMALL -o $TD/devfull2"; do
    # shellcheck disable=SC2086
    "$BIN" $args >/dev/full 2>"$TD/err.txt"
    r=$?
    check "'${args%% -*}' >/dev/full: non-zero exit (got $r)" [ "$r" != 0 ]
    check "'${args%% -*}' >/dev/full: message" grep -q 'cannot write standard output' "$TD/err.txt"
done

echo "test_outdir: $checks checks, $fails failures"
[ "$fails" = 0 ]
