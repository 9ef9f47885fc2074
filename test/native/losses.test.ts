// The distillation loss (paper §2): every term equals PyTorch Python's on fixed tensors, for every option.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { pythonHas, repoRoot, tempDir } from '../support.js';

interface Terms {
  total: number;
  kd: number;
  px: number;
  ce: number;
  at: number;
}

describe('distillation loss (needs the addon)', () => {
  it('rejects unknown pixel losses, resizes, a zero temperature, an incomplete or negative attention and a file without the four tensors, naming each', async () => {
    const dir = tempDir();
    const file = path.join(dir, 't.safetensors');
    // fs/zs/ft/zt only, no labels: written by our own exporter so this test needs no Python.
    await runJob('models.export', { model: 'gn_resnet', probePath: file, probeShape: [1, 3, 32, 32] });
    const bad = (spec: object, field: string) =>
      expect(runJob('train.loss', { tensors: file, loss: spec })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining(field),
      });
    await bad({ pixel: 'huber' }, 'loss.pixel');
    await bad({ resize: 'nearest' }, 'loss.resize');
    await bad({ temperature: 0 }, 'loss.temperature');
    await bad({ attention: { weight: 1000 } }, 'loss.attention.power');
    await bad({ attention: { weight: -1, power: 2 } }, 'loss.attention.weight');
    await bad({ attention: { weight: 1, power: 0 } }, 'loss.attention.power');
    await bad({ attention: 3 }, 'loss.attention');
    await bad({}, "lacks 'fs'");
  });
});

describe.skipIf(!pythonHas('torch'))('distillation loss vs PyTorch (needs the addon and /usr/bin/python3 with torch)', () => {
  it('kd (batchmean x T^2), mse/l1 after adaptive max, bicubic or average resize, CE over the labelled samples of a mixed batch, and attention transfer (p 1 and 2, each resize) match to 1e-5', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'loss.safetensors');
    const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'python', 'loss_ref.py'), file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const { cases } = JSON.parse(r.stdout) as { cases: (Terms & { options: Record<string, unknown> })[] };
    expect(cases.length).toBe(30);
    for (const c of cases) {
      const ours = await runJob<Terms>('train.loss', { tensors: file, loss: c.options });
      for (const k of ['kd', 'px', 'ce', 'at', 'total'] as const) {
        expect(Math.abs(ours[k] - c[k]), `${k} ${JSON.stringify(c.options)}`).toBeLessThan(1e-5);
      }
    }
  });
});
