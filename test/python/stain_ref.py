"""The PyTorch stain normalisation of python/resdistill_models.py (docs/stain.md), for the core's cross-check.
  stain_ref.py fit METHOD A.npy [B.npy ...]  -> the reference JSON fitted on the RGB uint8 H x W x 3 images
  stain_ref.py apply REF.json IMAGE.npy       -> JSON {pixels: float64 values before rounding, rounded: uint8 values},
                                                 both flat in row-major H, W, C order"""
import json, os, sys
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import resdistill_models as rd

if len(sys.argv) >= 4 and sys.argv[1] == "fit":
    print(json.dumps(rd.fit_stain([np.load(p) for p in sys.argv[3:]], sys.argv[2])))
elif len(sys.argv) == 4 and sys.argv[1] == "apply":
    with open(sys.argv[2]) as f:
        ref = json.load(f)
    rgb = np.load(sys.argv[3])
    print(json.dumps({"pixels": rd.normalize_stain(rgb, ref, rounded=False).reshape(-1).tolist(),
                      "rounded": rd.normalize_stain(rgb, ref).reshape(-1).tolist()}))
else:
    sys.exit(__doc__)
