"""Use a resdistill model from plain PyTorch: the paper's GroupNorm ResNet and the ResNet-18/34/50 of the zoo, rebuilt
from the metadata every resdistill weights file carries, with weights loaded strictly.

    import resdistill_models as rd
    model, meta = rd.load("best.safetensors")          # eval mode, on the CPU
    x = rd.preprocess(rgb_uint8_hwc, meta)              # numpy or torch, H x W x 3, at meta["mpp"] um/px
    feature_map, logits = model(x)                      # logits in meta["classes"] order

Needs only torch (numpy for numpy inputs). Reads safetensors with the `safetensors` package when it is installed, else
with the standard library. From the command line, `python3 resdistill_models.py WEIGHTS [IMAGE.npy ...]` prints the
metadata and, per RGB uint8 H x W x 3 .npy image, the logits, as one JSON object.

Stain normalisation (docs/stain.md): a weights file trained on a stain-normalised store carries the reference in its
metadata (`stain`), and preprocess() applies it; `normalize_stain(rgb, meta["stain"])` does it alone (e.g. before an
ONNX export), and `fit_stain(images, "macenko" | "reinhard")` fits a reference.

Bring your own teacher: a ResNet-18/34/50 trained in PyTorch (torchvision's, or any module with its state-dict names)
becomes a self-describing resdistill weights file that resdistill loads like its own:

    rd.save(torchvision_resnet, "teacher.safetensors", classes=["benign", "tumour"], mpp=0.5,
            mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), input_size=(224, 224))
"""
import hashlib
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

FORMAT = "resdistill.weights/1"
_DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64,
           "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool}


class WeightsInvalid(ValueError):
    """The file is not a self-describing resdistill weights file, or its metadata disagrees with its tensors."""


# --- reading safetensors -------------------------------------------------------------------------------------------

def _read_stdlib(path):
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise WeightsInvalid(f"{path}: not a safetensors file (too short)")
        (n,) = struct.unpack("<Q", head)
        if n > os.fstat(f.fileno()).st_size - 8:  # checked before reading: a declared length is not trusted
            raise WeightsInvalid(f"{path}: not a safetensors file (bad header length)")
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        if b > len(data):
            raise WeightsInvalid(f"{path}: tensor '{name}' runs past the end of the file (truncated?)")
        if e["dtype"] not in _DTYPES or not 0 <= a <= b or b - a != math.prod(e["shape"]) * torch.empty(0, dtype=_DTYPES[e["dtype"]]).element_size():
            raise WeightsInvalid(f"{path}: tensor '{name}': its dtype, shape and offsets do not agree")
        raw = bytearray(data[a:b])
        t = torch.frombuffer(raw, dtype=_DTYPES[e["dtype"]]) if b > a else torch.empty(0, dtype=_DTYPES[e["dtype"]])
        tensors[name] = t.reshape(e["shape"]).clone()
    return tensors, header.get("__metadata__", {})


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file, with the `safetensors` package when present, else the stdlib."""
    try:
        from safetensors import safe_open
    except ImportError:
        return _read_stdlib(path)
    with safe_open(path, framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})


# --- the metadata --------------------------------------------------------------------------------------------------

_REQUIRED = ("resdistillFormat", "architecture", "classes", "magnification", "mpp", "unit", "inputMean", "inputStd",
             "method", "runId", "resdistillVersion")


def parse_metadata(raw, path="weights"):
    """The file's string metadata as Python values; WeightsInvalid naming every missing key (as resdistill's own check)."""
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise WeightsInvalid(f"{path}: metadata cannot describe this model (missing {', '.join(missing)})")
    if raw["resdistillFormat"] != FORMAT:
        raise WeightsInvalid(f"{path}: format {raw['resdistillFormat']!r} is not {FORMAT}")
    meta = dict(raw)
    for key in ("architecture", "classes", "magnification", "mpp", "inputMean", "inputStd", "inputSize",
                "fieldOfViewUm", "maxSizeUm", "teacherMagnification", "epoch", "stain"):
        if key in raw:
            meta[key] = json.loads(raw[key])
    meta["synthetic"] = raw.get("synthetic") == "true"
    return meta


# --- writing a weights file ----------------------------------------------------------------------------------------

def architecture_of(model):
    """The metadata's architecture for a torchvision-style ResNet (layer1..4 of BasicBlocks or Bottlenecks)."""
    try:
        counts = [len(getattr(model, f"layer{i}")) for i in range(1, 5)]
        bottleneck = hasattr(model.layer1[0], "conv3")
    except (AttributeError, TypeError) as e:
        raise WeightsInvalid("not a torchvision-style ResNet (layer1..layer4); pass architecture=") from e
    name = next((n for n, (blocks, b) in _DEPTHS.items() if blocks == counts and b == bottleneck), None)
    if name is None:
        raise WeightsInvalid(f"a ResNet with stages {counts} is none of {', '.join(_DEPTHS)}; pass architecture=")
    if isinstance(model.bn1, nn.GroupNorm):
        return {"name": name, "norm": "group", "groups": model.bn1.num_groups}
    return {"name": name, "norm": "batch"}


def _write_safetensors(path, tensors, metadata):
    """The safetensors layout (u64 LE header length, JSON header, little-endian data), standard library only."""
    names = {v: k for k, v in _DTYPES.items()}
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def save(model, path, *, classes, mpp, mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0), input_size=None, unit="tiles",
         architecture=None, method="teacher", stain=None):
    """Writes `model`'s state dict as a resdistill weights file describing itself: `classes` in logit order, the input's
    `mpp` (um/px; magnification = 10 / mpp), the RGB `mean`/`std` applied to pixels in [0, 1], the training input's
    `input_size` [height, width] (tiles), the architecture (found from a torchvision ResNet when not given), and the
    `stain` reference (a fit_stain dict) when the model was trained on pixels normalised to it."""
    architecture = architecture or architecture_of(model)
    state = model.state_dict()
    out_features = state["fc.weight"].shape[0] if "fc.weight" in state else None
    if out_features != len(classes):
        raise WeightsInvalid(f"the model has {out_features} outputs and {len(classes)} classes were named")
    digest = hashlib.sha256()
    for name, t in state.items():
        digest.update(name.encode())
        digest.update(t.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    meta = {
        "resdistillFormat": FORMAT,
        "resdistillVersion": "python/resdistill_models.py",
        "architecture": json.dumps(architecture),
        "classes": json.dumps(list(classes)),
        "magnification": json.dumps(10.0 / mpp),
        "mpp": json.dumps(float(mpp)),
        "unit": unit,
        "inputNormalize": "dataset",
        "inputMean": json.dumps([float(v) for v in mean]),
        "inputStd": json.dumps([float(v) for v in std]),
        "method": method,
        "runId": digest.hexdigest()[:16],
        "synthetic": "false",
        "epoch": "0",
    }
    if input_size is not None:
        h, w = (int(v) for v in input_size)
        meta["inputSize"] = json.dumps([h, w])
        meta["fieldOfViewUm"] = json.dumps([h * mpp, w * mpp])
    if stain is not None:
        meta["stain"] = json.dumps(stain)
    _write_safetensors(path, state, meta)
    return parse_metadata(meta, path)


# --- the networks (state-dict names equal resdistill's LibTorch modules) --------------------------------------------

def _norm(kind, channels, groups):
    return nn.GroupNorm(groups, channels) if kind == "group" else nn.BatchNorm2d(channels)


class GnBlock(nn.Module):
    """The paper's BasicBlock with GroupNorm: c1/n1, c2/n2 and a 1x1 `down` projection when the shape changes."""

    def __init__(self, cin, cout, stride, groups):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.n1 = nn.GroupNorm(groups, cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.n2 = nn.GroupNorm(groups, cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.GroupNorm(groups, cout))

    def forward(self, x):
        y = torch.relu(self.n1(self.c1(x)))
        y = self.n2(self.c2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


class GnResNet(nn.Module):
    """DiPalma et al.'s network: GN stem, blocks of all stages in one `body`, global mean, linear. Returns (f, logits)."""

    def __init__(self, num_classes, widths=(32, 64, 128, 256), blocks=(1, 1, 1, 1), groups=32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, widths[0], 7, 2, 3, bias=False), nn.GroupNorm(groups, widths[0]),
                                  nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1))
        layers, cin = [], widths[0]
        for s, (w, n) in enumerate(zip(widths, blocks)):
            for b in range(n):
                layers.append(GnBlock(cin, w, 2 if s > 0 and b == 0 else 1, groups))
                cin = w
        self.body = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        f = self.body(self.stem(x))
        return f, self.fc(f.mean((2, 3)))


class TvBlock(nn.Module):
    """torchvision's BasicBlock or Bottleneck (v1.5: the 3x3 conv strides), with BatchNorm or GroupNorm."""

    def __init__(self, inplanes, planes, stride, bottleneck, norm, groups):
        super().__init__()
        out = planes * (4 if bottleneck else 1)
        self.bottleneck = bottleneck
        if bottleneck:
            self.conv1 = nn.Conv2d(inplanes, planes, 1, 1, 0, bias=False)
            self.bn1 = _norm(norm, planes, groups)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.bn2 = _norm(norm, planes, groups)
            self.conv3 = nn.Conv2d(planes, out, 1, 1, 0, bias=False)
            self.bn3 = _norm(norm, out, groups)
        else:
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = _norm(norm, planes, groups)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = _norm(norm, planes, groups)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride, 0, bias=False), _norm(norm, out, groups))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.bottleneck:
            y = self.bn3(self.conv3(torch.relu(y)))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


_DEPTHS = {"resnet18": ([2, 2, 2, 2], False), "resnet34": ([3, 4, 6, 3], False), "resnet50": ([3, 4, 6, 3], True)}


class TvResNet(nn.Module):
    """ResNet-18/34/50 with torchvision's names and parameter counts (no torchvision needed). Returns (f, logits)."""

    def __init__(self, name, num_classes, norm="batch", groups=32):
        super().__init__()
        blocks, bottleneck = _DEPTHS[name]
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = _norm(norm, 64, groups)
        inplanes = 64
        for s, n in enumerate(blocks):
            planes = 64 << s
            layer = []
            for b in range(n):
                layer.append(TvBlock(inplanes, planes, 2 if s > 0 and b == 0 else 1, bottleneck, norm, groups))
                inplanes = planes * (4 if bottleneck else 1)
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        y = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        f = self.layer4(self.layer3(self.layer2(self.layer1(y))))
        return f, self.fc(f.mean((2, 3)))


def build(meta):
    """The untrained network the metadata's architecture and classes describe."""
    a = meta["architecture"]
    classes = len(meta["classes"])
    if a["name"] == "gn_resnet":
        return GnResNet(classes, a.get("widths", (32, 64, 128, 256)), a.get("blocks", (1, 1, 1, 1)), a.get("groups", 32))
    if a["name"] in _DEPTHS:
        return TvResNet(a["name"], classes, a.get("norm", "batch"), a.get("groups", 32))
    raise WeightsInvalid(f"unknown architecture {a['name']!r} (known: gn_resnet, resnet18, resnet34, resnet50)")


def load(path, device="cpu"):
    """(model in eval mode, metadata) from a resdistill weights file alone; strict: every tensor must match."""
    tensors, raw = read_safetensors(path)
    meta = parse_metadata(raw, path)
    model = build(meta)
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as e:
        raise WeightsInvalid(f"{path}: the tensors do not fit the architecture its metadata names: {e}") from e
    return model.to(device).eval(), meta


# --- stain normalisation (docs/stain.md is the contract; the core implements the same in float64) ------------------

_IO, _ALPHA, _BETA = 240.0, 1.0, 0.15
_RGB_TO_XYZ = torch.tensor([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                            [0.0193339, 0.1191920, 0.9503041]], dtype=torch.float64)
_XYZ_TO_RGB = torch.tensor([[3.2404542, -1.5371385, -0.4985314], [-0.9692660, 1.8760108, 0.0415560],
                            [0.0556434, -0.2040259, 1.0572252]], dtype=torch.float64)
_WHITE = torch.tensor([0.95047, 1.0, 1.08883], dtype=torch.float64)
_D = 6.0 / 29.0


def _percentile(x, q):
    """numpy's default percentile (linear between order statistics) along the last dimension; torch.quantile refuses
    large inputs."""
    s = torch.sort(x, dim=-1).values
    pos = q / 100.0 * (s.shape[-1] - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, s.shape[-1] - 1)
    return s[..., lo] + (s[..., hi] - s[..., lo]) * (pos - lo)


def _estimate_sample(px):
    """The pixels an image's own estimate reads: every k-th, k = ceil(pixels / 2^20) (all of a tile up to 1024 x 1024)."""
    return px[::max(1, -(-px.shape[0] // (1 << 20)))]


def _od(px):
    return -torch.log((px + 1.0) / _IO)


def _macenko(px):
    """(HE 3 x 2, maxC 2) of float64 N x 3 RGB pixels; None with fewer than 3 tissue pixels, coinciding stain vectors
    (one flat colour) or a concentration percentile that is not positive."""
    od = _od(px)
    tissue = od[(od >= _BETA).all(1)]
    if tissue.shape[0] < 3:
        return None
    _, vectors = torch.linalg.eigh(torch.cov(tissue.T))  # ascending eigenvalues, N - 1 denominator
    e1, e2 = (torch.where(v.sum() < 0, -v, v) for v in (vectors[:, 2], vectors[:, 1]))  # eigh's sign is arbitrary
    phi = torch.atan2(tissue @ e1, tissue @ e2)
    v_min, v_max = (e2 * torch.cos(p) + e1 * torch.sin(p) for p in (_percentile(phi, q) for q in (_ALPHA, 100 - _ALPHA)))
    he = torch.stack([v_min, v_max] if v_min[0] > v_max[0] else [v_max, v_min], 1)
    g = he.T @ he
    if not bool(g[0, 0] * g[1, 1] - g[0, 1] * g[1, 0] > 1e-9 * g[0, 0] * g[1, 1]):
        return None
    max_c = _percentile(_concentrations(od, he), 99.0)
    return (he, max_c) if bool((max_c > 0).all()) else None


def _concentrations(od, he):
    """Least squares C (2 x N) of optical densities N x 3 on the stain matrix HE."""
    return torch.linalg.solve(he.T @ he, he.T @ od.T)


def _lab(px):
    """CIELAB (sRGB, D65) of float64 N x 3 RGB in [0, 255]."""
    c = px / 255.0
    linear = torch.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    t = (linear @ _RGB_TO_XYZ.T) / _WHITE
    f = torch.where(t > _D ** 3, t ** (1.0 / 3.0), t / (3 * _D * _D) + 4.0 / 29.0)
    return torch.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def _rgb(lab):
    """float64 N x 3 RGB in [0, 255] of CIELAB; linear RGB is clamped to [0, 1] before the gamma."""
    fy = (lab[:, 0] + 16) / 116
    f = torch.stack([fy + lab[:, 1] / 500, fy, fy - lab[:, 2] / 200], 1)
    xyz = torch.where(f > _D, f ** 3, 3 * _D * _D * (f - 4.0 / 29.0)) * _WHITE
    linear = (xyz @ _XYZ_TO_RGB.T).clamp(0.0, 1.0)
    c = torch.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)
    return c * 255.0


def _lab_stats(lab):
    """Per-channel mean and std of N x 3 L*a*b*."""
    mean = lab.mean(0)
    return mean, ((lab - mean) ** 2).mean(0).sqrt()  # N denominator


def _stable(t):
    """Fitted numbers to 9 significant digits, as the core stores them (the manifest, so the fingerprint, is the same
    on machines whose libm differs in the last bit)."""
    return [_stable(x) for x in t] if t.dim() > 0 else float(f"{float(t):.9g}")


def fit_stain(images, method):
    """The reference (the JSON of docs/stain.md) of RGB uint8 H x W x 3 images: every k-th pixel of each is pooled,
    k = ceil(pixels / 65,536). Raises ValueError for an unknown method, or macenko with fewer than 3 tissue pixels."""
    pool = []
    for image in images:
        px = torch.as_tensor(image).reshape(-1, 3)
        pool.append(px[::max(1, -(-px.shape[0] // 65536))])
    px = torch.cat(pool).to(torch.float64)
    out = {"method": method}
    if method == "macenko":
        fit = _macenko(px)
        if fit is None:
            raise ValueError("macenko: too little stained tissue in the pooled images (near-white, or one flat colour)")
        out["stainMatrix"], out["maxConcentrations"] = _stable(fit[0]), _stable(fit[1])
    elif method == "reinhard":
        mean, std = _lab_stats(_lab(px))
        out["mean"], out["std"] = _stable(mean), _stable(std)
    else:
        raise ValueError(f"unknown stain method {method!r} (macenko, reinhard)")
    out["samples"], out["pixels"] = len(images), px.shape[0]
    return out


def normalize_stain(rgb, stain, rounded=True):
    """RGB uint8 H x W x 3 mapped from its own stain estimate to the reference `stain` (a fit_stain dict): uint8 torch
    H x W x 3, or with rounded=False the float64 values clamped to [0, 255] before rounding."""
    x = torch.as_tensor(rgb)
    px = x.reshape(-1, 3).to(torch.float64)
    out = px
    if stain["method"] == "macenko":
        fit = _macenko(_estimate_sample(px))
        if fit is not None:
            he, max_c = fit
            ref_he = torch.tensor(stain["stainMatrix"], dtype=torch.float64)
            ref_max = torch.tensor(stain["maxConcentrations"], dtype=torch.float64)
            c = _concentrations(_od(px), he)
            out = (_IO * torch.exp(-ref_he @ (c * (ref_max / max_c)[:, None]))).T
    elif stain["method"] == "reinhard":
        lab = _lab(px)
        mean, std = _lab_stats(_estimate_sample(lab))
        ref_mean, ref_std = (torch.tensor(stain[k], dtype=torch.float64) for k in ("mean", "std"))
        scale = torch.where(std < 1e-6, torch.ones_like(std), ref_std / std)
        out = _rgb((lab - mean) * scale + ref_mean)
    else:
        raise ValueError(f"unknown stain method {stain['method']!r} (macenko, reinhard)")
    out = out.clamp(0.0, 255.0).reshape(x.shape)
    return torch.floor(out + 0.5).to(torch.uint8) if rounded else out


def preprocess(rgb, meta):
    """RGB uint8 H x W x 3 (or N x H x W x 3), already at meta['mpp'] um/px -> float32 N x 3 x H x W, normalised as trained
    (stain-normalised first when the metadata carries a stain reference)."""
    x = torch.as_tensor(rgb)
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if meta.get("stain"):
        x = torch.stack([normalize_stain(image, meta["stain"]) for image in x])
    x = x.permute(0, 3, 1, 2).to(torch.float32) / 255.0
    mean = torch.tensor(meta["inputMean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(meta["inputStd"], dtype=torch.float32).view(1, 3, 1, 1)
    return (x - mean) / std


def _main(argv):
    import numpy as np
    model, meta = load(argv[1])
    out = {"metadata": {k: v for k, v in meta.items()}, "logits": []}
    with torch.no_grad():
        for image in argv[2:]:
            out["logits"].append(model(preprocess(np.load(image), meta))[1][0].tolist())
    print(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    try:
        _main(sys.argv)
    except WeightsInvalid as e:
        print(json.dumps({"error": {"code": "WEIGHTS_INVALID", "message": str(e)}}))
        sys.exit(1)
