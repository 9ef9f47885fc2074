"""Checks our C++ zoo against the equivalent PyTorch modules. Prints one JSON line.
  shapes  MODEL JSON_OF_CPP_TENSORS      -> compares state_dict names and shapes
  load    MODEL WEIGHTS PROBE            -> loads C++ weights strictly, reruns the probe input, max abs diffs
  write   MODEL SEED OUT                 -> writes a seeded PyTorch model's weights for the C++ side to load"""
import json, os, sys
import torch
sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io as st

def build(name):
    if name == "gn_resnet":
        sys.path.insert(0, os.environ.get("RESDISTILL_PEERS", "/work/shared/bench/peers"))
        from gn_resnet import Net
        return Net(3)
    import torchvision
    base, _, norm = name.partition(":")
    kw = {"num_classes": 1000}
    if norm == "group":
        kw["norm_layer"] = lambda c: torch.nn.GroupNorm(32, c)
    return getattr(torchvision.models, base)(**kw)

def forward(model, x):
    out = model(x)
    if isinstance(out, tuple):
        return out
    # torchvision returns logits only; the feature map is everything before avgpool.
    m = model
    y = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    f = m.layer4(m.layer3(m.layer2(m.layer1(y))))
    return f, out

cmd, name = sys.argv[1], sys.argv[2]
if os.environ.get("RESDISTILL_THREADS"):  # the addon's thread count: a reduction split differently rounds differently
    torch.set_num_threads(int(os.environ["RESDISTILL_THREADS"]))
torch.manual_seed(0)
model = build(name)
if cmd == "shapes":
    ours = {t["name"]: t["shape"] for t in json.load(open(sys.argv[3]))["tensors"]}
    theirs = {k: list(v.shape) for k, v in model.state_dict().items()}
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"equal": ours == theirs, "only_ours": sorted(set(ours) - set(theirs)),
                      "only_theirs": sorted(set(theirs) - set(ours)), "params": params}))
elif cmd == "load":
    weights, probe = st.load(sys.argv[3]), st.load(sys.argv[4])
    model.load_state_dict(weights, strict=True)
    model.eval()
    with torch.no_grad():
        f, z = forward(model, probe["input"])
    out = {"torch": torch.__version__.split("+")[0], "features": (f - probe["features"]).abs().max().item(),
           "logits": (z - probe["logits"]).abs().max().item(), "scale": z.abs().max().item()}
    if any(k.startswith("grad.") for k in probe):
        # Our backward: CE with labels i % classes in training mode. Compared with a float64 PyTorch reference, beside
        # PyTorch's own float32 error against it (train-mode BatchNorm on tiny maps is ill-conditioned).
        import copy
        x = probe["input"]
        def grads(m, inp):
            m.train(); m.zero_grad()
            z = forward(m, inp)[1]
            torch.nn.functional.cross_entropy(z, torch.arange(inp.shape[0]) % z.shape[1]).backward()
            return {n: p.grad.double() for n, p in m.named_parameters()}
        ref = grads(copy.deepcopy(model).double(), x.double())
        g32 = grads(model, x)
        rel = lambda g: max(((g[n] - ref[n]).abs().max() / (ref[n].abs().max() + 1e-12)).item() for n in ref)
        out["grad_rel"] = rel({n: probe["grad." + n].double() for n in ref})
        out["grad_rel_pytorch"] = rel(g32)
        # Bit for bit: the same float32 kernels in the same order give the same bits.
        out["bitwise"] = torch.equal(f, probe["features"]) and torch.equal(z, probe["logits"]) and all(
            torch.equal(g32[n].float(), probe["grad." + n]) for n in ref)
    print(json.dumps(out))
elif cmd == "write":
    torch.manual_seed(int(sys.argv[3]))
    model = build(name)
    st.save(sys.argv[4], model.state_dict())
    print(json.dumps({"written": sys.argv[4]}))
