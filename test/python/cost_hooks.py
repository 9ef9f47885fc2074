"""An independent MAC count of the paper's GroupNorm ResNet (the peer's PyTorch module) with forward hooks.
  cost_hooks.py H W [H W ...] -> JSON {rows: [{height, width, macs, params, convs: [...]}]}"""
import json, os, sys
import torch
sys.path.insert(0, os.environ.get("RESDISTILL_PEERS", "/work/shared/bench/peers"))
from gn_resnet import Net

net = Net(3).eval()
counts = []
def hook(m, inp, out):
    if isinstance(m, torch.nn.Conv2d):
        counts.append(out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1])
    else:
        counts.append(out.numel() * m.in_features)
for m in net.modules():
    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
        m.register_forward_hook(hook)
rows, a = [], [int(v) for v in sys.argv[1:]]
for h, w in zip(a[0::2], a[1::2]):
    counts.clear()
    with torch.no_grad():
        net(torch.zeros(1, 3, h, w))
    rows.append({"height": h, "width": w, "macs": sum(counts), "params": sum(p.numel() for p in net.parameters()), "layers": list(counts)})
print(json.dumps({"rows": rows}))
