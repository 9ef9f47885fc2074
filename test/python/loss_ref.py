"""Writes fixed tensors for the loss cross-check and prints PyTorch's reference terms for several options.
  loss_ref.py OUT.safetensors  -> JSON {cases: [{options, kd, px, ce, total}]}"""
import json, os, sys
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io as st

g = torch.Generator().manual_seed(5)
t = {"fs": torch.randn(4, 8, 5, 7, generator=g), "ft": torch.randn(4, 8, 13, 17, generator=g) * 2,
     "zs": torch.randn(4, 6, generator=g) * 3, "zt": torch.randn(4, 6, generator=g) * 3,
     "labels": torch.randint(0, 6, (4,), generator=g)}
t["labels"][1] = -1  # an unlabeled sample in a mixed batch: CE averages over the labelled ones
st.save(sys.argv[1], t)

def g_resize(ft, size, how):
    if how == "maxpool":
        return F.adaptive_max_pool2d(ft, size)
    if how == "avgpool":
        return F.adaptive_avg_pool2d(ft, size)
    return F.interpolate(ft, size=size, mode="bicubic", align_corners=False)

cases = []
for T in (1.0, 4.0):
    for d in ("l2", "l1"):
        for how in ("maxpool", "bicubic", "avgpool"):
            for w_ce in (0.0, 0.5):
                kd = F.kl_div(F.log_softmax(t["zs"] / T, 1), F.softmax(t["zt"] / T, 1), reduction="batchmean") * T * T
                target = g_resize(t["ft"], t["fs"].shape[2:], how)
                px = F.mse_loss(t["fs"], target) if d == "l2" else F.l1_loss(t["fs"], target)
                ce = F.cross_entropy(t["zs"], t["labels"], ignore_index=-1) if w_ce else torch.tensor(0.0)
                total = kd + px + w_ce * ce
                cases.append({"options": {"temperature": T, "pixel": d, "resize": how, "wCe": w_ce},
                              "kd": kd.item(), "px": px.item(), "ce": ce.item(), "total": total.item()})
print(json.dumps({"cases": cases}))
