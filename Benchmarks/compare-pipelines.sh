#!/usr/bin/env bash
# Compares pass pipelines on one device in one run: compiles the model with
# each pipeline, benchmarks the artifacts one after the other, and prints
# decode/prefill tok/s, dispatches per token and GB/s side by side with the
# ratio of each pipeline to the first.
#
#   Benchmarks/compare-pipelines.sh [config] [pipelines] [prompt-tokens] [gen-tokens]
#   Benchmarks/compare-pipelines.sh configs/models/gemma3-270m.yaml none,default 64 16
set -euo pipefail
config=${1:-configs/models/gemma3-270m.yaml}
pipelines=${2:-none,default}
prompt=${3:-64}
gen=${4:-16}
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
for p in "${list[@]}"; do
    echo "bench $p ..." >&2
    "$smelt" bench "build/$name.$p.smelt" --prompt-tokens "$prompt" --gen-tokens "$gen" --json > "$out/$p.json"
done
python3 - "$out" "${list[@]}" <<'PY'
import json, sys
out, names = sys.argv[1], sys.argv[2:]
runs = {n: json.load(open(f"{out}/{n}.json")) for n in names}
base = runs[names[0]]
print(f"{'pipeline':10} {'decode tok/s':>12} {'prefill tok/s':>13} {'dispatches/tok':>14} {'MB/tok':>8} {'GB/s':>6} {'decode ×':>9} {'prefill ×':>9}")
for n in names:
    r = runs[n]
    print(f"{n:10} {r['decodeTokensPerSecond']:12.2f} {r['prefillTokensPerSecond']:13.2f} {r['dispatchesPerToken']:14d} "
          f"{r['bytesPerToken']/1e6:8.1f} {r['achievedGBPerSecond']:6.2f} "
          f"{r['decodeTokensPerSecond']/base['decodeTokensPerSecond']:9.2f} {r['prefillTokensPerSecond']/base['prefillTokensPerSecond']:9.2f}")
print(f"device: {base.get('device')}")
PY
