"""Makes a teacher the way a PyTorch user would (torchvision ResNet-18 with BatchNorm, a few SGD steps in train mode so
its running statistics move), saves it with python/resdistill_models.py's save(), writes probe images and prints
torchvision's own logits for them (the preprocessing the file records: /255, ImageNet mean/std).
  byo_teacher.py OUT_DIR [CLASSES MPP]  -> JSON {weights, images: [.npy], logits: [[...]]}
CLASSES is a comma-separated list (default "benign,in situ,invasive"), MPP the input's um/px (default 0.5)."""
import json, os, sys
import numpy as np
import torch
import torchvision
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import resdistill_models as rd

out = sys.argv[1]
classes = (sys.argv[2] if len(sys.argv) > 2 else "benign,in situ,invasive").split(",")
mpp = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
torch.manual_seed(3)
model = torchvision.models.resnet18(num_classes=len(classes))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
model.train()
for _ in range(3):
    x, y = torch.randn(8, 3, 64, 64), torch.randint(0, len(classes), (8,))
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
model.eval()
mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
weights = os.path.join(out, "teacher.safetensors")
rd.save(model, weights, classes=classes, mpp=mpp, mean=mean, std=std, input_size=(64, 64))
rng = np.random.default_rng(7)
images, logits = [], []
for i, (h, w) in enumerate([(64, 64), (80, 48)]):
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    path = os.path.join(out, f"probe{i}.npy")
    np.save(path, rgb)
    images.append(path)
    x = (torch.from_numpy(rgb).permute(2, 0, 1).float().unsqueeze(0) / 255 - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)
    with torch.no_grad():
        logits.append(model(x)[0].tolist())
print(json.dumps({"weights": weights, "images": images, "logits": logits}))
