#!/usr/bin/env python3
"""Design check for the SYNTHETIC cohort (not part of npm test): does low magnification destroy the fine cue
and keep the coarse one? Reads a cohort written by `resdistill synth`, cuts 128 um tiles inside tissue pieces at
10x (1 um/px, OpenSlide level read + area downsample), derives 5x / 2.5x / 1.25x by area downsampling the same
field, trains the same small CNN with labels at each magnification (patient-level split) and prints test accuracy.
Also trains at 1.25x on tiles of ONE architecture only: near-chance accuracy there means no fine cue survives.
Usage: /usr/bin/python3 -u scripts/synth-probe.py <cohortDir> [epochs] [mags, e.g. 10,1.25]
With a cohort made with coarseAgreement = 1/classes the architecture says nothing about the label, so any
accuracy above chance at 1.25x would be fine-cue leakage."""
import json, sys, random
import numpy as np
import openslide
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0); random.seed(0); np.random.seed(0)
torch.set_num_threads(2)
d = sys.argv[1]; epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 12
mags = [float(m) for m in sys.argv[3].split(',')] if len(sys.argv) > 3 else [10, 5, 2.5, 1.25]
man = json.load(open(f'{d}/cohort.json'))
labels = [c['label'] for c in man['classes']]
FIELD = 128  # um

X, Y, G, A = [], [], [], []
for sl in man['slides']:
    s = openslide.OpenSlide(f"{d}/{sl['path']}")
    mpp0 = 1e4 / float(s.properties['tiff.XResolution'])
    lvl = s.get_best_level_for_downsample(1.0 / mpp0 + 1e-6)
    lmpp = mpp0 * s.level_downsamples[lvl]
    n = int(round(FIELD / lmpp)); k = int(round(1.0 / lmpp))
    for p in sl['pieces']:
        cx, cy = p['centerUm']; r = p['radiusUm']
        for ty in np.arange(cy - r, cy + r, 64.0):
            for tx in np.arange(cx - r, cx + r, 64.0):
                x0, y0 = tx - FIELD / 2, ty - FIELD / 2
                im = np.asarray(s.read_region((int(x0 / mpp0), int(y0 / mpp0)), lvl, (n, n)).convert('RGB'), dtype=np.float32)
                if k > 1: im = im.reshape(n // k, k, n // k, k, 3).mean(axis=(1, 3))
                if (im.mean(axis=2) < 215).mean() < 0.6: continue  # mostly tissue only
                X.append(im); Y.append(labels.index(sl['label'])); G.append(sl['group']); A.append(p['architecture'])
X = torch.tensor(np.stack(X)).permute(0, 3, 1, 2) / 255.0
Y = torch.tensor(Y); A = torch.tensor(A)
groups = sorted(set(G))
first = {}
for g, y in zip(G, Y.tolist()): first.setdefault(y, g)
test_groups = set(first.values())  # one patient per class is held out
test = torch.tensor([g in test_groups for g in G])
print(f'tiles: {len(Y)} ({int(test.sum())} test), patients: {len(groups)}, test patients: {sorted(test_groups)}')
print(f'coarse-cue agreement in test tiles (architecture == label): {(A[test] == Y[test]).float().mean():.3f}')

def area_down(x, f):
    return x if f == 1 else F.avg_pool2d(x, f)

class Net(nn.Module):
    def __init__(self, c=3):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.GroupNorm(8, 32), nn.ReLU(),
                               nn.Conv2d(32, 32, 3, padding=1, stride=2), nn.GroupNorm(8, 32), nn.ReLU(),
                               nn.Conv2d(32, 64, 3, padding=1, stride=2), nn.GroupNorm(8, 64), nn.ReLU(),
                               nn.Conv2d(64, 64, 3, padding=1), nn.GroupNorm(8, 64), nn.ReLU())
        self.head = nn.Linear(64, c)
    def forward(self, x):
        return self.head(self.f(x).mean(dim=(2, 3)))

def train_eval(x, y, tr, te, seed=0):
    torch.manual_seed(seed)
    net = Net(len(labels)); opt = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-4)
    idx = torch.nonzero(tr).flatten()
    for _ in range(epochs):
        perm = idx[torch.randperm(len(idx))]
        for b in range(0, len(perm), 32):
            j = perm[b:b + 32]; xb = x[j]
            if random.random() < 0.5: xb = xb.flip(3)
            if random.random() < 0.5: xb = xb.flip(2)
            loss = F.cross_entropy(net(xb), y[j]); opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad():
        pred = torch.cat([net(x[te][b:b + 256]).argmax(1) for b in range(0, int(te.sum()), 256)])
    return (pred == y[te]).float().mean().item()

print(f'{"magnification":>14} {"um/px":>6} {"px":>4} {"test acc":>9}   (chance {1 / len(labels):.3f})')
for mag, f in ((10, 1), (5, 2), (2.5, 4), (1.25, 8)):
    if mag not in mags: continue
    xm = area_down(X, f)
    print(f'{mag:>13}x {10 / mag:>6.1f} {xm.shape[-1]:>4} {train_eval(xm, Y, ~test, test):>9.3f}')
x8 = area_down(X, 8)
for arch in range(len(labels)):
    m = A == arch
    acc = train_eval(x8, Y, (~test) & m, test & m)
    major = torch.bincount(Y[(~test) & m], minlength=len(labels)).argmax()
    prior = (Y[test & m] == major).float().mean().item()
    print(f'1.25x, architecture {arch} only (fine cue alone): test acc {acc:.3f} on {int((test & m).sum())} tiles '
          f'(majority-class rule: {prior:.3f})')
