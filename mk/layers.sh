#!/bin/sh
# layers.sh - the folders of libspattn and its commands form layers with no
# circles:  cmodel <- traces <- engine <- reports <- cli,  sim beside cli
# (sim uses engine and reports as cli does; cli and sim use neither the
# other), and api (the layer API of libspattn.so) beside engine, on
# cmodel and traces only. Fails on any back-reference:
#   - an #include "x.h" in ROOT/<folder>/* whose header lives in a folder
#     of a higher layer (or in the other of cli / sim);
#   - a call: an undefined symbol of an object file resolved by a global
#     definition in an object of a higher layer (nm on the built objects).
# An object's folder is the first path component named like a folder
# (build/obj/engine/sweep.o: engine; build/sim/small/obj/x.o: sim);
# build/obj/gen/*.o (the embedded plot scripts) belong to reports.
#   mk/layers.sh [-r ROOT] [OBJECT...]
# Prints one line per back-reference and exits 1 when there is any.
set -u
root=.
if [ "${1:-}" = "-r" ]; then root=$2; shift 2; fi
LAYERS="cmodel:0 traces:1 engine:2 api:2 reports:3 cli:4 sim:4"

fail=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# header name -> folder (headers found in exactly one folder)
for l in $LAYERS; do
    d=${l%%:*}
    for h in "$root/$d"/*.h; do [ -f "$h" ] && echo "$(basename "$h") $d"; done
done | sort > "$tmp/headers"

# ---- includes: "folder file" lines, then one awk over all of them
for l in $LAYERS; do
    d=${l%%:*}
    for f in "$root/$d"/*.c "$root/$d"/*.h "$root/$d"/*.cpp; do
        [ -f "$f" ] && echo "$d $f"
    done
done > "$tmp/files"
awk -v root="$root" -v layers="$LAYERS" '
    BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) { split(L[i], p, ":"); r[p[1]] = p[2] } }
    FILENAME == ARGV[1] { cnt[$1]++; hd[$1] = $2; next }
    {
        d = $1; f = $2; line = 0
        while ((getline t < f) > 0) {
            line++
            if (t !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
            h = t; sub(/^[^"]*"/, "", h); sub(/".*$/, "", h)
            b = h; sub(/^.*\//, "", b)
            if (cnt[b] != 1) continue
            u = hd[b]
            if (r[u] > r[d] || (u != d && r[u] == 4 && r[d] == 4)) {
                rel = f; if (index(rel, root "/") == 1) rel = substr(rel, length(root) + 2)
                printf "layers: %s:%d: includes %s of %s/ (%s/ may use only lower layers: cmodel <- traces <- engine <- reports <- cli | sim)\n", rel, line, h, u, d
            }
        }
        close(f)
    }' "$tmp/headers" "$tmp/files" > "$tmp/inc"
[ -s "$tmp/inc" ] && { cat "$tmp/inc"; fail=1; }

# ---- calls
: > "$tmp/defs"
: > "$tmp/undefs"
for o in "$@"; do
    [ -f "$o" ] || { echo "layers: $o: no such object file" >&2; exit 2; }
    d=$(echo "$o" | tr '/' '\n' | awk '$0 == "gen" { print "reports"; exit }
        /^(cmodel|traces|engine|reports|cli|sim)$/ { print; exit }')
    [ -n "$d" ] || { echo "layers: $o: not in a layered folder" >&2; exit 2; }
    nm -g --defined-only "$o" 2>/dev/null | awk -v d="$d" 'NF >= 3 { print $3, d }' >> "$tmp/defs"
    nm -u "$o" 2>/dev/null | awk -v d="$d" -v o="$o" 'NF >= 2 { print $2, d, o }' >> "$tmp/undefs"
done
# a symbol defined in several folders (C++ inline copies) counts at its lowest
awk -v layers="$LAYERS" '
    BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) { split(L[i], p, ":"); r[p[1]] = p[2] } }
    NR == FNR { if (!($1 in def) || r[$2] < r[def[$1]]) def[$1] = $2; next }
    ($1 in def) {
        u = $2; s = def[$1]
        if (r[s] > r[u] || (s != u && r[s] == 4 && r[u] == 4))
            printf "layers: %s (%s/) calls %s, defined in %s/ (a higher layer, or the other of cli | sim)\n", $3, u, $1, s
    }' "$tmp/defs" "$tmp/undefs" | sort -u > "$tmp/calls"
[ -s "$tmp/calls" ] && { cat "$tmp/calls"; fail=1; }

if [ $fail = 0 ]; then
    echo "layers: no back-references (includes in $root/{$(for l in $LAYERS; do printf '%s,' "${l%%:*}"; done | sed 's/,$//')}, calls among $# objects)"
fi
exit $fail
