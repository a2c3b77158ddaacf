#!/usr/bin/env bash
# One run of everything a machine with a GPU should measure, within 8 minutes, each step writing
# its files into OUT as soon as it ends (a cut-off run still leaves the steps before), and
# OUT/summary.json after every step: exit code, seconds, and whether it ran out of time.
#   1. info.json         the adapter, its limits and features (slope info --json)
#   2. kernels.log       the kernel case suite (every variant against the float64 references)
#   3. tuning.json       the tuning table: the MLP step's tuned shape classes at batch 1, 64, 1024
#                        (into OUT/cache, which the steps after it then use)
#   4. profile_b*.json   a profile of one MLP training step at batch 64 and 1024 (+ trace_b*.json)
#   5. matmul.json       bench/matmul: every variant at 256³, 512³, 1024³ and the MLP's shapes
#   6. train_step.json   bench/train_step: the step with each optimizer, batch 1 and 64
# Each step has a cap (seconds); the whole run stops starting steps past GPU_SH_SECONDS (470).
# Needs only what it is given: node on PATH, and the built dist/ and bin/ (npm run build).
# On a machine with a GPU but without Node: bundle node and Dawn's binding with dist/, bin/ and this
# script (npm run build first), then run it from the bundle's root: bash bench/gpu.sh $OUT
# Locally (lavapipe): QUICK=1 bash bench/gpu.sh /tmp/gpu-out   (fewer runs; the same files)
set -uo pipefail
out=$(mkdir -p "${1:-bench/out/gpu}" && cd "${1:-bench/out/gpu}" && pwd)
budget=${GPU_SH_SECONDS:-470}
start=$SECONDS
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
# The tuning cache of this run stays with its results.
export XDG_CACHE_HOME="$out/cache"
quick=${QUICK:-0}
runs=$([ "$quick" = 1 ] && echo 2 || echo 5)
summary="$out/summary.json"
echo "{\"started\": \"$(date -u +%FT%TZ)\", \"steps\": [" > "$summary.tmp"
first=1

# step NAME SECONDS COMMAND...: runs it with what is left of the budget (at most SECONDS).
step() {
  local name=$1 cap=$2 left rc t0
  shift 2
  left=$((budget - (SECONDS - start)))
  if (( left < 15 )); then echo "== $name: skipped, out of time"; rc=-1; t0=$SECONDS
  else
    (( cap > left )) && cap=$left
    echo "== $name (at most ${cap}s)"
    t0=$SECONDS
    # bash -c, so that the exported functions below can be steps too.
    timeout --kill-after=5 "$cap" bash -c '"$@"' _ "$@" > "$out/$name.log" 2>&1
    rc=$?
    tail -n 25 "$out/$name.log"
  fi
  [ $first = 1 ] || echo "," >> "$summary.tmp"
  first=0
  printf '{"step": "%s", "rc": %d, "seconds": %d, "timedOut": %s}' "$name" "$rc" $((SECONDS - t0)) \
    "$([ "$rc" = 124 ] || [ "$rc" = 137 ] && echo true || echo false)" >> "$summary.tmp"
  { cat "$summary.tmp"; echo "]}"; } > "$summary"
}

# The last line a command printed, as a JSON file (commands that print JSON last with --json).
lastjson() { local f=$1; shift; "$@" > "$f.log" 2>&1; local rc=$?; grep '^{' "$f.log" | tail -n 1 > "$f"; cat "$f.log"; return $rc; }

kernels() {
  local fail=0
  for f in dist/test/kernels/*.test.js; do
    if SLOPE_TUNE=0 node "$f" > "$out/kernels_$(basename "$f" .test.js).log" 2>&1; then echo "ok   $f"; else echo "FAIL $f"; fail=1; fi
  done
  return $fail
}
export out
export -f lastjson kernels
step info 30 lastjson "$out/info.json" node bin/slope.js info --json
step kernels 180 kernels
step tuning 60 node dist/bench/tuning.js --out "$out/tuning.json"
step profile_b64 45 lastjson "$out/profile_b64.json" node bin/slope.js bench --profile --batch 64 --runs "$runs" --trace "$out/trace_b64.json" --json
step profile_b1024 45 lastjson "$out/profile_b1024.json" node bin/slope.js bench --profile --batch 1024 --runs "$runs" --trace "$out/trace_b1024.json" --json
step matmul 90 node dist/bench/matmul.js --runs "$runs" --shapes 256,512,1024,mlp --out "$out/matmul.json"
step train_step 60 node dist/bench/train_step.js --rounds "$runs" --out "$out/train_step.json"
echo "done in $((SECONDS - start)) s; results in $out"
