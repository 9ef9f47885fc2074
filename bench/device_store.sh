#!/usr/bin/env bash
# Device check for the store loader on a GPU host: builds the reader-only core (no OpenSlide, no image libraries:
# LibTorch + nlohmann only, as a training host would), then runs verify and the loader with pinned memory.
# Expects a prepared store in build-dev/store and nlohmann headers in build-dev/nlohmann (carried by the caller).
set -u
nvidia-smi -L || true
PY=$(command -v python3)
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" || true
GEN=Ninja; command -v ninja >/dev/null || GEN="Unix Makefiles"
cmake -S . -B build-gpu -G "$GEN" -DRESDISTILL_WITH_OPENSLIDE=OFF -DRESDISTILL_WITH_IMAGE_IO=OFF \
  -DNLOHMANN_JSON_INCLUDE_DIR="$PWD/build-dev" -DCMAKE_BUILD_TYPE=Release > "$OUT/cmake.log" 2>&1 || { tail -30 "$OUT/cmake.log"; exit 1; }
grep resdistill: "$OUT/cmake.log"
cmake --build build-gpu -j"$(nproc)" --target resdistill-driver > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; exit 1; }
D=./build-gpu/resdistill-driver
$D info | head -30
$D jobs
echo '{"store":"build-dev/store"}' | $D run store.verify - 2>/dev/null
for t in 4 8 16; do
  echo "threads $t"
  echo '{"store":"build-dev/store","split":"all","views":[0,1],"batchSize":16,"epochs":5,"threads":'$t'}' | $D run data.scan - --threads $t 2>/dev/null
done
echo '{"store":"build-dev/store","split":"all","views":[0,1],"batchSize":16,"epochs":5,"verify":false,"threads":16}' | $D run data.scan - --threads 16 2>/dev/null
