#!/bin/sh
# layers_test.sh - mk/layers.sh must pass on the real tree and fail on each
# planted back-reference, made in a temporary copy of the sources or of the
# object list:
#   1. cmodel/dram.c including engine.h (an include up the layers);
#   2. cli/cmd_run.c including sim's timing_cmp.h (cli and sim are apart);
#   3. an object in cmodel/ calling sp_engine_run (a call up the layers).
#   tests/layers_test.sh OBJECT...   (the objects make lint-layers checks)
set -u
check=mk/layers.sh
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0
expect_fail() { # name, expected text, command...
    name=$1 want=$2; shift 2
    if "$@" > "$tmp/out" 2>&1; then
        echo "FAIL layers_test: $name: the check passed on a planted back-reference"; fails=1
    elif ! grep -q -- "$want" "$tmp/out"; then
        echo "FAIL layers_test: $name: message lacks '$want':"; cat "$tmp/out"; fails=1
    else
        echo "ok   layers_test: $name: $(head -1 "$tmp/out")"
    fi
}

if "$check" "$@" > "$tmp/out" 2>&1; then
    echo "ok   layers_test: real tree: $(cat "$tmp/out")"
else
    echo "FAIL layers_test: real tree:"; cat "$tmp/out"; fails=1
fi

mkdir -p "$tmp/tree"
cp -r cmodel traces engine reports cli sim "$tmp/tree/"
echo '#include "engine.h"' >> "$tmp/tree/cmodel/dram.c"
expect_fail "include up" "cmodel/dram.c:[0-9]*: includes engine.h of engine/" "$check" -r "$tmp/tree"

rm -rf "$tmp/tree" && mkdir -p "$tmp/tree"
cp -r cmodel traces engine reports cli sim "$tmp/tree/"
echo '#include "timing_cmp.h"' >> "$tmp/tree/cli/cmd_run.c"
expect_fail "cli uses sim" "cli/cmd_run.c:[0-9]*: includes timing_cmp.h of sim/" "$check" -r "$tmp/tree"

mkdir -p "$tmp/obj/cmodel"
printf 'int sp_engine_run(const void *in, void *r, char *err, unsigned long n);\nint planted(void) { return sp_engine_run(0, 0, 0, 0); }\n' > "$tmp/planted.c"
${CC:-cc} -c "$tmp/planted.c" -o "$tmp/obj/cmodel/planted.o" || { echo "FAIL layers_test: cannot compile the planted object"; exit 1; }
expect_fail "call up" "calls sp_engine_run, defined in engine/" "$check" "$@" "$tmp/obj/cmodel/planted.o"

[ $fails = 0 ] && echo "layers_test: passed (real tree clean, 3 planted back-references caught)"
exit $fails
