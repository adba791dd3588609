#!/usr/bin/env bash
# Compares pass pipelines on one device in one run: compiles the model with
# each pipeline, benchmarks the artifacts one after the other, and prints
# decode/prefill tok/s, dispatches per token and GB/s side by side with the
# ratio of each pipeline to the first. With ROUNDS=N (default 1) the
# pipelines are benchmarked in turn N times and each figure is the median of
# its rounds, each ratio the median of the per-round ratios (a shared
# machine's noise moves whole runs, so rounds are compared within a round).
#
#   Benchmarks/compare-pipelines.sh [config] [pipelines] [prompt-tokens] [gen-tokens]
#   ROUNDS=3 Benchmarks/compare-pipelines.sh configs/models/gemma3-270m.yaml none,default 64 16
set -euo pipefail
config=${1:-configs/models/gemma3-270m.yaml}
pipelines=${2:-none,default}
prompt=${3:-64}
gen=${4:-16}
rounds=${ROUNDS:-1}
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "error: ROUNDS must be a positive integer, got '$rounds'" >&2; exit 2; }
smelt=${SMELT:-.build/release/smelt}
[ -x "$smelt" ] || { echo "error: $smelt not built (swift build -c release)" >&2; exit 1; }
name=$(basename "$config" .yaml)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
IFS=, read -ra list <<< "$pipelines"
for p in "${list[@]}"; do
    artifact="build/$name.$p.smelt"
    if [ ! -f "$artifact" ] || [ "$smelt" -nt "$artifact" ] || [ "$config" -nt "$artifact" ]; then
        "$smelt" compile "$config" -o "$artifact" --pipeline "$p" >&2
    fi
done
for round in $(seq 1 "$rounds"); do
    for p in "${list[@]}"; do
        echo "bench $p (round $round of $rounds) ..." >&2
        "$smelt" bench "build/$name.$p.smelt" --prompt-tokens "$prompt" --gen-tokens "$gen" --json \
            > "$out/$p.$round.json"
    done
done
python3 - "$out" "$rounds" "${list[@]}" <<'PY'
import json, statistics, sys
out, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
runs = {n: [json.load(open(f"{out}/{n}.{k}.json")) for k in range(1, rounds + 1)] for n in names}
def median(n, key): return statistics.median(r[key] for r in runs[n])
def ratio(n, key): return statistics.median(r[key] / b[key] for r, b in zip(runs[n], runs[names[0]]))
print(f"{'pipeline':10} {'decode tok/s':>12} {'prefill tok/s':>13} {'dispatches/tok':>14} {'MB/tok':>8} {'GB/s':>6} {'decode ×':>9} {'prefill ×':>9}")
for n in names:
    r = runs[n][0]
    print(f"{n:10} {median(n, 'decodeTokensPerSecond'):12.2f} {median(n, 'prefillTokensPerSecond'):13.2f} "
          f"{r['dispatchesPerToken']:14d} {r['bytesPerToken']/1e6:8.1f} {median(n, 'achievedGBPerSecond'):6.2f} "
          f"{ratio(n, 'decodeTokensPerSecond'):9.2f} {ratio(n, 'prefillTokensPerSecond'):9.2f}")
if rounds > 1:
    for n in names[1:]:
        per = ", ".join(f"{r['decodeTokensPerSecond'] / b['decodeTokensPerSecond']:.2f}"
                        for r, b in zip(runs[n], runs[names[0]]))
        print(f"{n} ÷ {names[0]} decode, per round: {per}")
print(f"device: {runs[names[0]][0].get('device')}; {rounds} round(s), medians")
PY
