// Sizes and numbers a slide declares are checked before they are used. A TIFF whose tile byte count cannot fit the
// file (a BigTIFF count of 2^62 made OpenSlide's allocator abort the process with SIGTRAP) is SLIDE_READ_FAILED,
// checked before OpenSlide opens it; an mpp of 1e90 or 1e-300, or AppMag = 9e, is ignored with its reason in the
// resolver's audit trail (SLIDE_NO_MPP when nothing plausible remains, as for a missing mpp). Needs the addon; the
// mpp cases also the real CMU slide (../shared/data), patched in a temp copy.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSlide } from '../../src/index.js';
import { cmuSlide, hasData, runCli, tempDir } from '../support.js';

/** A little-endian BigTIFF with one tiled 256 x 256 IFD whose single tile declares `tileBytes` bytes. */
function bigTiff(tileBytes: bigint): string {
  const entries: [number, number, bigint][] = [
    [256, 3, 256n],
    [257, 3, 256n],
    [258, 3, 8n],
    [259, 3, 1n],
    [262, 3, 2n],
    [277, 3, 3n],
    [322, 3, 256n],
    [323, 3, 256n],
    [324, 16, 0n /* patched: the data offset */],
    [325, 16, tileBytes],
  ];
  const ifdAt = 16;
  const dataAt = ifdAt + 8 + entries.length * 20 + 8;
  const b = Buffer.alloc(dataAt + 1024);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(43, 2);
  b.writeUInt16LE(8, 4);
  b.writeBigUInt64LE(BigInt(ifdAt), 8);
  b.writeBigUInt64LE(BigInt(entries.length), ifdAt);
  entries.forEach(([tag, type, value], i) => {
    const at = ifdAt + 8 + i * 20;
    b.writeUInt16LE(tag, at);
    b.writeUInt16LE(type, at + 2);
    b.writeBigUInt64LE(1n, at + 4);
    b.writeBigUInt64LE(tag === 324 ? BigInt(dataAt) : value, at + 12);
  });
  const file = path.join(tempDir('rd-tiff-'), 'hostile.tif');
  writeFileSync(file, b);
  return file;
}

/** The CMU slide with its Aperio description's `from` replaced by `to` (same length, so no offset moves). */
function patchedCmu(edits: [string, string][]): string {
  let bytes = Buffer.from(readFileSync(cmuSlide));
  for (const [from, to] of edits) {
    expect(to.length).toBe(from.length);
    const latin = bytes.toString('latin1');
    expect(latin.includes(from)).toBe(true);
    bytes = Buffer.from(latin.split(from).join(to), 'latin1');
  }
  const file = path.join(tempDir('rd-mpp-'), 'patched.svs');
  writeFileSync(file, bytes);
  return file;
}

function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string };
  }
  return { message: 'no error' };
}

describe('a TIFF declaring sizes its file cannot hold is refused before OpenSlide (needs the addon)', () => {
  it('a BigTIFF tile byte count of 2^62: SLIDE_READ_FAILED in-process, and exit 1 with no signal from the CLI', () => {
    const file = bigTiff(1n << 62n);
    expect(errorOf(() => openSlide(file))).toMatchObject({
      code: 'SLIDE_READ_FAILED',
      message: expect.stringMatching(/declares 4611686018427387904 bytes/),
    });
    const r = runCli(['slide', 'info', file, '--json']);
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'SLIDE_READ_FAILED' } });
  });

  it('a tile byte count that fits is not refused by the pre-check (whatever OpenSlide then says)', () => {
    const e = errorOf(() => openSlide(bigTiff(1000n)));
    expect(e.message).not.toMatch(/declared sizes do not fit/);
  });
});

describe.skipIf(!hasData)('implausible mpp metadata is ignored with its reason (addon, real CMU slide)', () => {
  it('MPP = 1e+090 and AppMag = 9e: SLIDE_NO_MPP whose audit trail names both reasons', () => {
    const file = patchedCmu([
      ['MPP = 0.4990', 'MPP = 1e+090'],
      ['AppMag = 20', 'AppMag = 9e'],
    ]);
    const e = errorOf(() => openSlide(file));
    expect(e.code).toBe('SLIDE_NO_MPP');
    expect(e.message).toMatch(/outside the plausible 0\.02\.\.100/);
    expect(e.message).toMatch(/aperio\.AppMag: '9e' is not a positive number/);
    // An explicit, plausible override still opens it; an implausible one is refused.
    expect(openSlide(file, { mpp: 0.5 }).info.mpp.source).toBe('override');
    expect(errorOf(() => openSlide(file, { mpp: 1e9 }))).toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('MPP = 1e-300 is not taken: the plausible AppMag decides (10 / 20 = 0.5 um/px)', () => {
    const s = openSlide(patchedCmu([['MPP = 0.4990', 'MPP = 1e-300']]));
    expect(s.info.mpp.source).toBe('aperio.AppMag');
    expect(s.info.mpp.x).toBeCloseTo(0.5, 6);
    expect(s.info.mpp.trail.join('\n')).toMatch(/outside the plausible/);
  });
});
