#!/usr/bin/env bash
# GPU check for training (issue 6), after scripts/device-cost-check.sh has built build-gpu/resdistill-driver:
# a teacher epoch and a distillation epoch from a prepared store (.device/store: 120 lymphoma patches at 6.25x
# and 1.5625x, made here with store.extract), fp32 and bf16, through the C++ driver. Images/s come from the
# jobs' epoch events; the peer is peers/train_step.py on the same GPU (run by device-cost-check.sh).
set -uo pipefail
OUT=${OUT:-$PWD/device-out}; mkdir -p "$OUT"
D=build-gpu/resdistill-driver
STORE=$PWD/.device/store
RUNS=$(mktemp -d)
for bf in false true; do
  echo "== teacher 6.25x bf16=$bf" | tee -a "$OUT/log.txt"
  echo "{\"store\":\"$STORE\",\"magnification\":6.25,\"epochs\":3,\"batchSize\":16,\"seed\":0,\"device\":\"cuda\",\"bf16\":$bf,\"out\":\"$RUNS/t-$bf\"}" |
    $D run train.supervised - 2> "$OUT/teacher-$bf.events.jsonl" | head -c 2000 | tee -a "$OUT/train.jsonl"; echo | tee -a "$OUT/train.jsonl"
  grep '"type":"epoch"' "$OUT/teacher-$bf.events.jsonl" | cut -c1-300 | tee -a "$OUT/log.txt"
  echo "== distill 6.25x -> 1.5625x bf16=$bf" | tee -a "$OUT/log.txt"
  echo "{\"store\":\"$STORE\",\"magnification\":1.5625,\"epochs\":3,\"batchSize\":16,\"seed\":0,\"device\":\"cuda\",\"bf16\":$bf,\"out\":\"$RUNS/s-$bf\",\"teacher\":{\"magnification\":6.25,\"checkpoint\":\"$RUNS/t-$bf/best.safetensors\"}}" |
    $D run train.distill - 2> "$OUT/distill-$bf.events.jsonl" | head -c 2000 | tee -a "$OUT/train.jsonl"; echo | tee -a "$OUT/train.jsonl"
  grep '"type":"epoch"' "$OUT/distill-$bf.events.jsonl" | cut -c1-300 | tee -a "$OUT/log.txt"
done
