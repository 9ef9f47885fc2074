// Needs the addon and /usr/bin/python3 with torch, torchvision and numpy. Bring your own teacher: a torchvision
// ResNet-18 (BatchNorm) trained a few steps in PyTorch and saved with python/resdistill_models.py's save() is a
// self-describing resdistill weights file: the core reads its architecture, classes, magnification and ImageNet
// normalisation from it, and its logits equal torchvision's to 1e-5 on probe images of two sizes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { describeWeights } from '../../src/weights/weights.js';
import { pythonHas, repoRoot, tempDir } from '../support.js';

describe.skipIf(!pythonHas('torch', 'torchvision', 'numpy'))(
  'a teacher trained in PyTorch (needs the addon and python3 with torchvision)',
  () => {
    it('loads through its own metadata and gives torchvision logits to 1e-5', async () => {
      const dir = tempDir();
      const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'python', 'byo_teacher.py'), dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const made = JSON.parse(r.stdout) as { weights: string; images: string[]; logits: number[][] };

      const d = await describeWeights(made.weights);
      expect(d).toMatchObject({
        architecture: { name: 'resnet18', norm: 'batch' },
        classes: ['benign', 'in situ', 'invasive'],
        magnification: 20,
        mpp: 0.5,
        inputSize: [64, 64],
      });
      // float32 in the core: the ImageNet mean/std as written, to float precision
      for (const [k, want] of [
        ['mean', [0.485, 0.456, 0.406]],
        ['std', [0.229, 0.224, 0.225]],
      ] as const)
        d.input[k].forEach((v, c) => expect(v).toBeCloseTo(want[c]!, 6));
      const ours = await runJob<{ logits: number[][] }>('weights.forward', { path: made.weights, images: made.images });
      expect(ours.logits.map((l) => l.length)).toEqual([3, 3]);
      for (const [i, row] of ours.logits.entries())
        for (const [j, v] of row.entries()) expect(Math.abs(v - made.logits[i]![j]!)).toBeLessThan(1e-5);
    });
  },
);
