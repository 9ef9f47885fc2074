// The cost model: exact MACs against published counts and against an independent PyTorch forward-hook count.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Counted } from '../../src/cost/cost.js';
import { runJob } from '../../src/native/job.js';
import { hasPeers, peersDir, pythonHas, repoRoot } from '../support.js';

describe('cost model (needs the addon)', () => {
  it('counts the published MACs and parameters of ResNet-18 and ResNet-50 at 224 x 224, FLOPs = 2 x MACs', async () => {
    const r18 = await runJob<Counted>('cost.count', { model: 'resnet18', classes: 1000, height: 224, width: 224 });
    const r50 = await runJob<Counted>('cost.count', { model: 'resnet50', classes: 1000, height: 224, width: 224 });
    expect(r18.rows[0]).toMatchObject({ macs: 1_814_073_344, flops: 3_628_146_688, params: 11_689_512 });
    expect(r50.rows[0]).toMatchObject({ macs: 4_089_184_256, flops: 8_178_368_512, params: 25_557_032 });
  });

  it('scales with batch, reports other ops apart, and training activations exceed inference', async () => {
    const one = (await runJob<Counted>('cost.count', { model: 'gn_resnet', height: 96, width: 64 })).rows[0]!;
    const four = (await runJob<Counted>('cost.count', { model: 'gn_resnet', height: 96, width: 64, batchSize: 4 })).rows[0]!;
    expect(four.macs).toBe(4 * one.macs);
    expect(four.otherOps).toBe(4 * one.otherOps);
    expect(one.otherOps).toBeGreaterThan(0);
    expect(one.trainActivationBytes).toBeGreaterThan(one.inferActivationBytes);
  });

  it('a bad size is CONFIG_INVALID naming the field', async () => {
    await expect(runJob('cost.count', { model: 'gn_resnet', sizes: [[0, 10]] })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('sizes[0]'),
    });
  });
});

describe.skipIf(!pythonHas('torch') || !hasPeers)(
  'cost model vs PyTorch hooks (needs the addon, /usr/bin/python3 with torch and ../shared/bench/peers)',
  () => {
    it('the paper GN ResNet counts equal a forward-hook count at square, non-square and tiny sizes', async () => {
      const sizes = [
        [224, 224],
        [56, 56],
        [37, 53],
        [300, 141],
        [14, 14],
        [5, 9],
      ];
      const ours = await runJob<Counted>('cost.count', { model: 'gn_resnet', sizes, layers: true });
      const r = spawnSync('/usr/bin/python3', [path.join(repoRoot, 'test', 'python', 'cost_hooks.py'), ...sizes.flat().map(String)], {
        encoding: 'utf8',
        env: { ...process.env, RESDISTILL_PEERS: peersDir },
      });
      expect(r.status, r.stderr).toBe(0);
      const theirs = JSON.parse(r.stdout) as { rows: { macs: number; params: number; layers: number[] }[] };
      theirs.rows.forEach((row, i) => {
        const mine = ours.rows[i]!;
        expect(mine.macs).toBe(row.macs);
        expect(mine.params).toBe(row.params);
        expect(mine.ops!.filter((o) => o.kind === 'conv' || o.kind === 'linear').map((o) => o.macs)).toEqual(row.layers);
      });
    });
  },
);
