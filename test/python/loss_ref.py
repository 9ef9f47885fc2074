"""Writes fixed tensors for the loss cross-check and prints PyTorch's reference terms for several options.
  loss_ref.py OUT.safetensors  -> JSON {cases: [{options, kd, px, ce, at, total}]}
Attention transfer follows Zagoruyko & Komodakis' cifar.py (at = normalize(f.pow(p).mean(1)), at_loss = mean of the
squared difference), on the teacher's map after the pixel loss's resize g (the target the teacher cache stores)."""
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

def attention(f, p):
    return F.normalize(f.abs().pow(p).mean(1).flatten(1), p=2, dim=1)

def at_loss(fs, ft, p, how):
    return (attention(fs, p) - attention(g_resize(ft, fs.shape[2:], how), p)).pow(2).mean()

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
                              "kd": kd.item(), "px": px.item(), "ce": ce.item(), "at": 0.0, "total": total.item()})
# Attention transfer (method kd+at) at each resize and two powers, on top of the paper's terms.
for how in ("maxpool", "bicubic", "avgpool"):
    for p, w in ((2.0, 1000.0), (1.0, 250.0)):
        kd = F.kl_div(F.log_softmax(t["zs"], 1), F.softmax(t["zt"], 1), reduction="batchmean")
        px = F.mse_loss(t["fs"], g_resize(t["ft"], t["fs"].shape[2:], how))
        at = at_loss(t["fs"], t["ft"], p, how)
        cases.append({"options": {"resize": how, "attention": {"weight": w, "power": p}},
                      "kd": kd.item(), "px": px.item(), "ce": 0.0, "at": at.item(), "total": (kd + px + w * at).item()})
print(json.dumps({"cases": cases}))
