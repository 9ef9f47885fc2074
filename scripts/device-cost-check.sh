#!/usr/bin/env bash
# GPU check for the cost model and the training step (issue 5), for a CUDA host without Node:
# builds the C++ driver against the host's Python torch (CUDA LibTorch), then runs, on the same GPU:
#   cost.count and cost.measure over the paper's ladder (fp32, then bf16 + channelsLast),
#   bench.trainStep (fp32 and bf16) beside peers/train_step.py cuda (fp32 and bf16).
# Needs nlohmann/json.hpp and the peers on the host: copy /usr/include/nlohmann to .device/include/nlohmann and
# ../shared/bench/peers to .device/peers, and carry .device. Results go to $OUT (or ./device-out).
set -uo pipefail
OUT=${OUT:-$PWD/device-out}; mkdir -p "$OUT"
INC=${NLOHMANN_INC:-$PWD/.device/include}
PEERS=${PEERS:-$PWD/.device/peers}
log() { echo "== $*" | tee -a "$OUT/log.txt"; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch; print('python torch', torch.__version__, torch.version.cuda)" | tee -a "$OUT/log.txt"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DRESDISTILL_WITH_OPENSLIDE=OFF -DRESDISTILL_WITH_IMAGE_IO=OFF -DRESDISTILL_WITH_TIFF=OFF -DRESDISTILL_BUILD_DRIVER=ON \
  -DNLOHMANN_JSON_INCLUDE_DIR="$INC" -DCMAKE_CUDA_ARCHITECTURES=90 > "$OUT/cmake.txt" 2>&1 || { tail -30 "$OUT/cmake.txt"; exit 1; }
cmake --build build-gpu --target resdistill-driver -j"$(nproc)" > "$OUT/build.txt" 2>&1 || { grep -m20 -A5 error "$OUT/build.txt"; exit 1; }
D=build-gpu/resdistill-driver
$D info | tee -a "$OUT/log.txt"
LADDER='[[896,896],[448,448],[224,224],[112,112],[56,56]]'
log "cost.count ladder 10x..0.625x over 896 um"
echo "{\"model\":\"gn_resnet\",\"sizes\":$LADDER}" | $D run cost.count - 2>/dev/null | tee -a "$OUT/results.jsonl"
for flags in '"bf16":false,"channelsLast":false' '"bf16":true,"channelsLast":false' '"bf16":true,"channelsLast":true'; do
  log "cost.measure cuda $flags"
  echo "{\"model\":\"gn_resnet\",\"sizes\":$LADDER,\"batch\":16,\"warmup\":3,\"reps\":10,\"device\":\"cuda\",$flags}" | $D run cost.measure - 2>/dev/null | tee -a "$OUT/results.jsonl"
done
for size in 224 56; do
  for bf in false true; do
    log "train step size $size bf16 $bf: ours, then the peer"
    echo "{\"size\":$size,\"batch\":16,\"steps\":20,\"device\":\"cuda\",\"bf16\":$bf}" | $D run bench.trainStep - 2>/dev/null | tee -a "$OUT/results.jsonl"
    (cd "$PEERS" && python3 train_step.py "$size" 16 20 cuda $([ "$bf" = true ] && echo bf16)) | tee -a "$OUT/results.jsonl"
  done
done
