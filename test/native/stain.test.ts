// Stain normalisation (docs/stain.md): the core's Macenko and Reinhard (stain.fit, stain.apply) agree with the PyTorch
// implementation in python/resdistill_models.py to 1e-5 before rounding, on real H&E patches of the lymphoma set.
// Needs the addon, /usr/bin/python3 with torch, numpy and PIL, and ../shared/data.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNative } from '../../src/native/jobs.js';
import type { StainReference } from '../../src/native/job-types.js';
import { addonHasJob, dataDir, pythonHas, repoRoot, tempDir } from '../support.js';

const lymphoma = path.join(dataDir, 'patches', 'lymphoma-iicbu2008');
const stainRef = path.join(repoRoot, 'test', 'python', 'stain_ref.py');

function python(args: string[]): string {
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** The patches as .npy: one whole (312 x 417, so every second pixel is pooled), the others cropped small. */
function patches(dir: string): string[] {
  const script = `
import sys, numpy as np
from PIL import Image
out, root = sys.argv[1], sys.argv[2]
for i, (name, crop) in enumerate([("CLL/0.png", None), ("FL/113.png", (40, 60, 136, 124)), ("MCL/252.png", (100, 90, 196, 154)),
                                  ("FL/113.png", (200, 150, 296, 214))]):
    rgb = np.asarray(Image.open(f"{root}/{name}").convert("RGB"))
    if crop: rgb = rgb[crop[1]:crop[3], crop[0]:crop[2]]
    np.save(f"{out}/p{i}.npy", np.ascontiguousarray(rgb))
`;
  python(['-c', script, dir, lymphoma]);
  return [0, 1, 2, 3].map((i) => path.join(dir, `p${i}.npy`));
}

function expectClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; ++i) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tolerance);
}

describe.skipIf(!addonHasJob('stain.fit') || !pythonHas('torch', 'numpy', 'PIL') || !existsSync(lymphoma))(
  'stain normalisation against PyTorch (addon, python3, real data)',
  () => {
    it.each(['macenko', 'reinhard'] as const)('%s: the fitted reference and every normalised pixel agree to 1e-5', async (method) => {
      const dir = tempDir();
      const [whole, a, b, c] = patches(dir);
      const ours = await runNative('stain.fit', { method, images: [whole!, a!] });
      const theirs = JSON.parse(python([stainRef, 'fit', method, whole!, a!])) as StainReference;
      expect(ours.samples).toBe(2);
      expect(ours.pixels).toBe(Math.ceil((312 * 417) / 2) + 96 * 64); // every second pixel of the whole patch
      expect(ours.pixels).toBe(theirs.pixels);
      const numbers = (r: StainReference): number[] =>
        r.method === 'macenko' ? [...r.stainMatrix.flat(), ...r.maxConcentrations] : [...r.mean, ...r.std];
      expectClose(numbers(ours), numbers(theirs), 1e-5);

      writeFileSync(path.join(dir, 'ref.json'), JSON.stringify(ours));
      for (const image of [b!, c!, whole!]) {
        const core = await runNative('stain.apply', { reference: ours, image });
        const torch = JSON.parse(python([stainRef, 'apply', path.join(dir, 'ref.json'), image])) as { pixels: number[]; rounded: number[] };
        expect(core.changed).toBe(true);
        expectClose(core.exact, torch.pixels, 1e-5);
        // Rounded pixels agree except where the exact value sits within 1e-5 of a half.
        const differ = core.pixels.filter((p, i) => p !== torch.rounded[i] && Math.abs((core.exact[i]! % 1) - 0.5) > 1e-5);
        expect(differ).toEqual([]);
        expect(core.exact.some((x, i) => Math.abs(x - core.pixels[i]!) > 1)).toBe(false);
      }
    });

    it('leaves an image without stained tissue, or of one flat colour, unchanged (macenko), and refuses to fit on one', async () => {
      const dir = tempDir();
      const [whole] = patches(dir);
      const white = path.join(dir, 'white.npy');
      python(['-c', `import numpy as np; np.save("${white}", np.full((16, 16, 3), 250, np.uint8))`]);
      const ref = await runNative('stain.fit', { method: 'macenko', images: [whole!] });
      const r = await runNative('stain.apply', { reference: ref, image: white });
      expect(r.changed).toBe(false);
      expect(r.pixels.every((p) => p === 250)).toBe(true);
      // One flat purple: tissue, but its two stain vectors coincide, so there is nothing to separate (both sides agree).
      const flat = path.join(dir, 'flat.npy');
      python(['-c', `import numpy as np; np.save("${flat}", np.tile(np.array([150, 80, 160], np.uint8), (16, 16, 1)))`]);
      writeFileSync(path.join(dir, 'ref.json'), JSON.stringify(ref));
      const flatCore = await runNative('stain.apply', { reference: ref, image: flat });
      const flatTorch = JSON.parse(python([stainRef, 'apply', path.join(dir, 'ref.json'), flat])) as { rounded: number[] };
      expect(flatCore.changed).toBe(false);
      expect(flatCore.pixels).toEqual(flatTorch.rounded);
      await expect(runNative('stain.fit', { method: 'macenko', images: [white] })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('too little stained tissue'),
      });
    });

    it('refuses a malformed reference with CONFIG_INVALID naming what it needs', async () => {
      const dir = tempDir();
      const [whole] = patches(dir);
      const bad = { method: 'macenko', stainMatrix: [[1, 2]], maxConcentrations: [1, 1], samples: 1, pixels: 1 } as never;
      await expect(runNative('stain.apply', { reference: bad, image: whole! })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('stainMatrix (3 x 2 numbers'),
      });
      await expect(runNative('stain.fit', { method: 'vahadane' as never, images: [whole!] })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
      });
    });
  },
);
