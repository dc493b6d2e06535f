#!/bin/sh
# nonroot_build.sh - plain `make` needs no root and no RTL tools (make
# test-nonroot). Copies the tree (without build/ and out/) into a temporary
# directory and, as a non-root user (nobody, through setpriv or runuser,
# when run as root; else the current user) with verilator and yosys hidden
# from PATH: builds libspattn and spattn (make -j2), runs the C model on a
# small synthetic trace, and checks that a missing tool or library stops
# the build with one line naming its Debian package.
set -u
SRC=$(pwd)
T=$(mktemp -d /tmp/spattn-nonroot.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fail() { echo "test-nonroot: FAIL: $*"; exit 1; }

mkdir "$T/src" "$T/bin" || exit 1
tar -C "$SRC" --exclude=./build --exclude=./out --exclude=./.git -cf - . | tar -C "$T/src" -xf - \
  || fail "cannot copy the tree into $T/src"

# a PATH of links to every command on this PATH except verilator* and yosys*
old_ifs=$IFS; IFS=:
for d in $PATH; do
  [ -d "$d" ] || continue
  for f in "$d"/*; do
    n=${f##*/}
    case $n in verilator*|yosys*) continue ;; esac
    [ -x "$f" ] && [ ! -e "$T/bin/$n" ] && ln -s "$f" "$T/bin/$n"
  done
done
IFS=$old_ifs

# as: run a shell command in the copy as the test user, with the reduced PATH
if [ "$(id -u)" = 0 ]; then
  chown -R nobody "$T" || fail "cannot chown $T to nobody"
  uid=$(id -u nobody) && gid=$(id -g nobody) || fail "no user nobody"
  if command -v setpriv >/dev/null 2>&1; then
    as() { setpriv --reuid="$uid" --regid="$gid" --clear-groups env -i HOME="$T" PATH="$T/bin" "$@" sh -c "cd '$T/src' && $AS_CMD"; }
  elif command -v runuser >/dev/null 2>&1; then
    as() { runuser -u nobody -- env -i HOME="$T" PATH="$T/bin" "$@" sh -c "cd '$T/src' && $AS_CMD"; }
  else
    fail "running as root and neither setpriv nor runuser is installed (util-linux)"
  fi
  who=nobody
else
  as() { env -i HOME="$T" PATH="$T/bin" "$@" sh -c "cd '$T/src' && $AS_CMD"; }
  who=$(id -un)
fi

AS_CMD='id -u; command -v verilator yosys || true'
out=$(as) || fail "cannot run a command as $who"
set -- $out
[ "$1" != 0 ] || fail "the test user is root"
[ $# -eq 1 ] || fail "verilator or yosys still on the reduced PATH: $out"

# the C build and a run
start=$(date +%s)
AS_CMD='make -j2 > build.log 2>&1'
as || { cat "$T/src/build.log"; fail "make -j2 as $who without verilator and yosys"; }
grep -q "not root" "$T/src/build.log" && fail "plain make mentioned root: $(grep "not root" "$T/src/build.log")"
AS_CMD='build/spattn run -c configs/default.yaml -t synth:layers=2,heads=2,d=16,len=32,iters=2,seed=1 -o out-nonroot > run.log 2>&1'
as || { cat "$T/src/run.log"; fail "spattn run as $who"; }
[ -s "$T/src/out-nonroot/stats.json" ] || fail "no out-nonroot/stats.json"
end=$(date +%s)
echo "test-nonroot: make -j2 and spattn run as $who without verilator/yosys on PATH: ok ($((end - start)) s)"

# missing pieces: one line naming the Debian package
AS_CMD='rm -rf build && make build/spattn 2> err.log > /dev/null; echo $?'
rc=$(as PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH=)
line=$(grep "^spattn build:" "$T/src/err.log")
[ "$rc" != 0 ] && [ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] \
  && printf '%s' "$line" | grep -q "libcjson not found by pkg-config; install the Debian package libcjson-dev" \
  || fail "no library: exit $rc, $(cat "$T/src/err.log")"
echo "test-nonroot: no library -> $line"
AS_CMD='make need-verilator 2> err.log > /dev/null; echo $?'
rc=$(as)
line=$(grep "^spattn build:" "$T/src/err.log")
[ "$rc" != 0 ] && printf '%s' "$line" | grep -q "verilator not found; install the Debian package verilator" \
  || fail "no verilator: exit $rc, $(cat "$T/src/err.log")"
echo "test-nonroot: no verilator -> $line"
echo "test-nonroot: passed"
