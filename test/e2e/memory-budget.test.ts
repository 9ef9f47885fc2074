// The memory budget: requests sized by their input (a slide region, a tile grid, an image's declared size) are
// checked before anything is allocated and fail fast with RESOURCE_LIMIT naming the request and the budget.
// Needs the built CLI, the addon and real data (the CMU slide and the lymphoma images).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extract, loadExtractConfig } from '../../src/store/store.js';
import { cmuSlide, hasData, lymphomaDir, repoRoot, runCli, tempDir } from '../support.js';
import { lymphomaConfig, lymphomaSubset } from '../native/store_fixtures.js';

/** A valid 1-bit grayscale PNG of width x height (all black): tiny on disk, width x height x 3 bytes decoded. */
function blackPng(width: number, height: number, rows = height): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const raw = Buffer.alloc(Math.min(rows, height) * (1 + Math.ceil(width / 8)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(b: Buffer): number {
  let c = ~0;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** An images source: one class folder with a real lymphoma image and the given extra files. */
function imageFolder(extra: Record<string, Buffer>): string {
  const root = tempDir('rd-budget-img-');
  for (const cls of ['CLL', 'FL']) {
    mkdirSync(path.join(root, cls));
    const f = readdirSync(path.join(lymphomaDir, cls)).sort()[0]!;
    symlinkSync(path.join(lymphomaDir, cls, f), path.join(root, cls, f));
  }
  for (const [name, bytes] of Object.entries(extra)) writeFileSync(path.join(root, 'CLL', name), bytes);
  const cfg = path.join(tempDir('rd-budget-cfg-'), 'extract.json');
  writeFileSync(
    cfg,
    JSON.stringify({ data: { source: 'images', root, mpp: 1.6 }, magnifications: { teacher: 6.25, students: [3.125] }, threads: 1 }),
  );
  return cfg;
}

function expectResourceLimit(r: { status: number | null; stdout: string; stderr: string }, what: RegExp) {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(1);
  const { error } = JSON.parse(r.stdout);
  expect(error.code).toBe('RESOURCE_LIMIT');
  expect(error.message).toMatch(what);
  expect(error.message).toMatch(/memory budget of [\d.]+ [GM]B/);
  return error.message as string;
}

describe.skipIf(!hasData)('memory budget (needs the built CLI, the addon and real data)', () => {
  it('slide region 30000 x 30000 px is refused before reading, naming the region and the budget', () => {
    const out = path.join(tempDir('rd-budget-'), 'r.png');
    const r = runCli(
      [
        'slide',
        'region',
        cmuSlide,
        '--x',
        '0',
        '--y',
        '0',
        '--width',
        '30000',
        '--height',
        '30000',
        '--magnification',
        '20',
        '--out',
        out,
        '--json',
      ],
      { env: { RESDISTILL_MAX_MEMORY: '2G' } },
    );
    expectResourceLimit(r, /slide region 30000 x 30000/);
    expect(existsSync(out)).toBe(false);
  });

  it('--max-memory sets the budget on the command line, and a region inside it is read', () => {
    const out = path.join(tempDir('rd-budget-'), 'r.png');
    const big = runCli([
      'slide',
      'region',
      cmuSlide,
      '--x',
      '0',
      '--y',
      '0',
      '--width',
      '2000',
      '--height',
      '2000',
      '--magnification',
      '20',
      '--out',
      out,
      '--json',
      '--max-memory',
      '10M',
    ]);
    expect(expectResourceLimit(big, /slide region 2000 x 2000/)).toContain('--max-memory');
    const ok = runCli([
      'slide',
      'region',
      cmuSlide,
      '--x',
      '0',
      '--y',
      '0',
      '--width',
      '2000',
      '--height',
      '2000',
      '--magnification',
      '20',
      '--out',
      out,
      '--json',
      '--max-memory',
      '200M',
    ]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).width).toBeGreaterThan(1900); // 2000 level-0 px of a 0.499 um/px slide at 0.5 um/px
  });

  it('--max-memory that is not a size is CONFIG_INVALID, a usage error (exit 2)', () => {
    const r = runCli(['slide', 'info', cmuSlide, '--json', '--max-memory', 'lots']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('RESDISTILL_MAX_MEMORY') });
  });

  it('a tile grid every 0.01 um (what predict --stride-um 0.01 asks for) is refused before it is built', async () => {
    const script = `import('${path.join(repoRoot, 'dist', 'slide', 'slide.js')}').then(async ({ openSlide }) => {
      const s = openSlide(${JSON.stringify(cmuSlide)});
      try { await s.tiles({ sizeUm: 224, strideUm: 0.01 }); console.log('{}'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
    });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, RESDISTILL_MAX_MEMORY: '4G' },
    });
    const e = JSON.parse(r.stdout.trim());
    expect(e.code).toBe('RESOURCE_LIMIT');
    expect(e.message).toMatch(/tile grid of 224 um tiles every 0.01 um/);
  });

  it('a tiny PNG declaring 30000 x 30000 px is refused from its header, naming the file; nothing is written', () => {
    const cfg = imageFolder({ 'huge.png': blackPng(30000, 30000) });
    const out = path.join(tempDir('rd-budget-store-'), 'store');
    const r = runCli(['extract', cfg, '--out', out, '--json'], { env: { RESDISTILL_MAX_MEMORY: '4G' } });
    expectResourceLimit(r, /PNG '.*huge\.png' \(declared 30000 x 30000 px\)/);
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.tar')) : []).toEqual([]);
  });

  it('a PNG header declaring 10^6 x 10^6 px is refused before any row is decoded', () => {
    const cfg = imageFolder({ 'giant.png': blackPng(1_000_000, 1_000_000, 2) });
    const out = path.join(tempDir('rd-budget-store-'), 'store');
    const r = runCli(['extract', cfg, '--out', out, '--json']);
    expectResourceLimit(r, /PNG '.*giant\.png' \(declared 1000000 x 1000000 px\)/);
  });

  it('training batches larger than the budget are refused before the first epoch, naming the batch', async () => {
    const store = path.join(tempDir('rd-budget-train-'), 'store');
    await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(2))), store);
    const spec = {
      store,
      model: { name: 'gn_resnet', widths: [32, 32, 64, 64] },
      magnification: 3.125,
      epochs: 1,
      batchSize: 1024,
      seed: 0,
      out: path.join(tempDir('rd-budget-run-'), 'run'),
    };
    const r = spawnSync(path.join(repoRoot, 'build', 'resdistill-driver'), ['run', 'train.supervised', '-'], {
      input: JSON.stringify(spec),
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, RESDISTILL_MAX_MEMORY: '256M' },
    });
    expect(r.status).toBe(1);
    const { error } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/batches of 1024 samples from store/);
  });
});
