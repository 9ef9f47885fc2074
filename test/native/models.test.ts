// The model zoo: published parameter counts, PyTorch-equal state-dict names, and safetensors interchange with Python.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { nativeVersions } from '../../src/native/addon.js';
import { hasPeers, peersDir, pythonHas, repoRoot, tempDir } from '../support.js';

interface Described {
  params: number;
  tensors: { name: string; shape: number[] }[];
}

const check = path.join(repoRoot, 'test', 'python', 'models_check.py');
const env = { ...process.env, RESDISTILL_PEERS: peersDir, RESDISTILL_THREADS: String(nativeVersions().threads) };

function py(...args: string[]): Record<string, unknown> {
  const r = spawnSync('/usr/bin/python3', [check, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe('model zoo (needs the addon)', () => {
  it('ResNet-18/50 have torchvision parameter counts with 1000 classes, BatchNorm or GroupNorm', async () => {
    for (const norm of ['batch', 'group']) {
      const r18 = await runJob<Described>('models.describe', { model: { name: 'resnet18', norm }, classes: 1000 });
      const r50 = await runJob<Described>('models.describe', { model: { name: 'resnet50', norm }, classes: 1000 });
      expect(r18.params).toBe(11_689_512);
      expect(r50.params).toBe(25_557_032);
    }
  });

  it('rejects an unknown model, bad widths and indivisible groups with CONFIG_INVALID', async () => {
    await expect(runJob('models.describe', { model: 'vgg' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(runJob('models.describe', { model: { name: 'gn_resnet', widths: [32, 64], blocks: [1] } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(runJob('models.describe', { model: { name: 'gn_resnet', widths: [48, 64, 128, 256] } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it('the paper net takes blocks per stage and widths, naming blocks body.0..body.N', async () => {
    const d = await runJob<Described>('models.describe', {
      model: { name: 'gn_resnet', blocks: [2, 1, 1, 2], widths: [32, 64, 64, 128], groups: 16 },
    });
    const names = d.tensors.map((t) => t.name);
    expect(names).toContain('body.5.c2.weight');
    expect(names).not.toContain('body.6.c1.weight');
    expect(d.tensors.find((t) => t.name === 'fc.weight')?.shape).toEqual([3, 128]);
  });

  it('a truncated weights file is WEIGHTS_INVALID', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'w.safetensors');
    await runJob('models.export', { model: 'gn_resnet', path: file });
    const { readFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file).subarray(0, 5000));
    await expect(runJob('models.export', { model: 'gn_resnet', weights: file })).rejects.toMatchObject({ code: 'WEIGHTS_INVALID' });
  });
});

describe.skipIf(!pythonHas('torch', 'torchvision') || !hasPeers)(
  'model zoo vs PyTorch (needs the addon, /usr/bin/python3 with torch, torchvision and ../shared/bench/peers)',
  () => {
    const models = ['gn_resnet', 'resnet18', 'resnet18:group', 'resnet50'];
    for (const name of models) {
      const [model, norm] = name.split(':');
      it(`${name}: state-dict names and shapes equal PyTorch's; C++ weights load strictly and reproduce the outputs and the training gradients`, async () => {
        const dir = tempDir();
        const described = await runJob<Described>('models.describe', {
          model: { name: model, norm },
          classes: model === 'gn_resnet' ? 3 : 1000,
        });
        writeFileSync(path.join(dir, 'ours.json'), JSON.stringify(described));
        const shapes = py('shapes', name, path.join(dir, 'ours.json'));
        expect(shapes).toMatchObject({ equal: true, only_ours: [], only_theirs: [], params: described.params });
        const weights = path.join(dir, 'w.safetensors');
        const probe = path.join(dir, 'probe.safetensors');
        await runJob('models.export', {
          model: { name: model, norm },
          classes: model === 'gn_resnet' ? 3 : 1000,
          seed: 3,
          path: weights,
          probePath: probe,
          probeShape: [2, 3, 64, 80],
          probeGrads: true,
        });
        const diff = py('load', name, weights, probe) as {
          features: number;
          logits: number;
          scale: number;
          grad_rel: number;
          grad_rel_pytorch: number;
        };
        expect(diff.features).toBeLessThan(1e-4);
        expect(diff.logits).toBeLessThan(1e-4 * Math.max(1, diff.scale));
        // Our float32 gradients are as close to a float64 PyTorch reference as PyTorch's own float32 ones.
        expect(diff.grad_rel).toBeLessThan(2 * diff.grad_rel_pytorch + 1e-4);
      });
    }

    // Our stem's max pooling (models/max_pool.cc) runs other kernels than PyTorch's; the paper net with the same weights,
    // input and thread count must still give PyTorch's features, logits and every gradient bit for bit.
    for (const [h, w] of [
      [64, 80],
      [224, 224],
      [157, 203],
    ]) {
      it(`gn_resnet at ${h} x ${w} px: forward and training gradients equal PyTorch's bit for bit`, async () => {
        const dir = tempDir();
        const weights = path.join(dir, 'w.safetensors');
        const probe = path.join(dir, 'probe.safetensors');
        await runJob('models.export', {
          model: 'gn_resnet',
          seed: 5,
          path: weights,
          probePath: probe,
          probeShape: [2, 3, h, w],
          probeGrads: true,
        });
        const diff = py('load', 'gn_resnet', weights, probe);
        // Bit for bit only against the same LibTorch build (Debian's 1.13 on both sides here); another torch gets the
        // tolerance of the test above.
        if (diff.torch === nativeVersions().libtorch.version) expect(diff).toMatchObject({ features: 0, logits: 0, bitwise: true });
        else expect(diff.features as number).toBeLessThan(1e-4);
      });
    }

    it("weights written by PyTorch load into our gn_resnet and give PyTorch's outputs", async () => {
      const dir = tempDir();
      const weights = path.join(dir, 'py.safetensors');
      py('write', 'gn_resnet', '7', weights);
      const probe = path.join(dir, 'probe.safetensors');
      await runJob('models.export', { model: 'gn_resnet', weights, probePath: probe, probeShape: [1, 3, 96, 64] });
      const diff = py('load', 'gn_resnet', weights, probe) as { features: number; logits: number };
      expect(diff.features).toBeLessThan(1e-4);
      expect(diff.logits).toBeLessThan(1e-4);
    });
  },
);
