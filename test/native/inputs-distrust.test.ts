// Inputs that never end, loop or use names that are also JavaScript's: a labels CSV that is a device file, a
// config that is an endless stream, an image folder with symlink loops, classes named __proto__ and constructor.
// Each is a typed error (or, for the names, plain data) and leaves no store behind. The extract cases need the addon;
// the config case is pure TS.
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { extract, loadExtractConfig } from '../../src/store/store.js';
import { storeInfo } from '../../src/store/info.js';
import { tempDir } from '../support.js';

/** A folder of class folders, each holding `n` small PNGs. */
function imageFolder(classes: string[], n = 2): string {
  const root = path.join(tempDir('rd-images-'), 'images');
  classes.forEach((c, k) => {
    mkdirSync(path.join(root, c), { recursive: true });
    for (let i = 0; i < n; i++) {
      const png = new PNG({ width: 32, height: 32 });
      png.data.fill(40 + 60 * k + i);
      writeFileSync(path.join(root, c, `${i}.png`), PNG.sync.write(png));
    }
  });
  return root;
}

async function extractFrom(source: object): Promise<{ error: { code?: string; message: string } | null; out: string }> {
  const dir = tempDir('rd-extract-');
  const out = path.join(dir, 'store');
  writeFileSync(
    path.join(dir, 'extract.json'),
    JSON.stringify({ data: { source: 'images', mpp: 0.5, ...source }, magnifications: { teacher: 10, students: [5] } }),
  );
  try {
    await extract(loadExtractConfig(path.join(dir, 'extract.json')), out);
    return { error: null, out };
  } catch (e) {
    return { error: e as { code?: string; message: string }, out };
  }
}

const noStore = (out: string) => !existsSync(out) || readdirSync(out).every((f) => !f.endsWith('.tar'));

describe('endless text inputs are read up to a limit (pure TS)', () => {
  it('an experiment config that is /dev/zero is CONFIG_INVALID, not a process that grows until killed', () => {
    const file = path.join(tempDir('rd-zero-'), 'experiment.json');
    symlinkSync('/dev/zero', file);
    expect(() => loadExperiment(file)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/larger than \d+ bytes/) }),
    );
  });
});

describe('image sources that never end or loop (needs the addon)', () => {
  it('a labels CSV that is a device file is CONFIG_INVALID before it is read, and no store is written', async () => {
    const csv = path.join(tempDir('rd-zero-'), 'labels.csv');
    symlinkSync('/dev/zero', csv);
    const { error, out } = await extractFrom({ csv });
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/not a regular file/) });
    expect(noStore(out)).toBe(true);
  });

  it('symlink loops in an image folder are named problems (CONFIG_INVALID), not INTERNAL', async () => {
    const root = imageFolder(['tumour', 'stroma']);
    symlinkSync('loop', path.join(root, 'loop'));
    symlinkSync('self.png', path.join(root, 'tumour', 'self.png'));
    const { error, out } = await extractFrom({ root });
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/loop.*cannot be read \(Too many levels of symbolic links\)/),
    });
    expect(error!.message).toMatch(/self\.png.*cannot be read/);
    expect(noStore(out)).toBe(true);
  });

  it('classes named __proto__ and constructor are counted like any other', async () => {
    const { error, out } = await extractFrom({ root: imageFolder(['__proto__', 'constructor'], 3) });
    expect(error).toBeNull();
    const info = storeInfo(out);
    const counts = Object.values(info.splits).map((s) => s.perClass);
    const total = (name: string) => counts.reduce((t, c) => t + (Object.hasOwn(c, name) ? c[name]! : 0), 0);
    expect(total('__proto__')).toBe(3);
    expect(total('constructor')).toBe(3);
    expect(JSON.parse(JSON.stringify(info)).classes).toEqual(['__proto__', 'constructor']);
  });
});
