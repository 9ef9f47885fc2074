// Magnification planning and the compute-reduction guard (pure TypeScript, no addon).
import { describe, expect, it } from 'vitest';
import { type CostRow, guard, parseSize, pixelsFor, planLadder } from '../../src/cost/cost.js';

type Row = Omit<CostRow, 'guard'>;
const row = (magnification: number, px: number, macs: number, extra: Partial<Row> = {}): Row => ({
  magnification,
  height: px,
  width: px,
  macs,
  flops: 2 * macs,
  otherOps: 0,
  params: 1,
  trainActivationBytes: 0,
  inferActivationBytes: 0,
  macsReduction: null,
  expectedReduction: null,
  ...extra,
});
const teacher = row(10, 896, 1000);

describe('cost planning', () => {
  it('parses HxW and N, rejects junk', () => {
    expect(parseSize('224x160')).toEqual([224, 160]);
    expect(parseSize('56')).toEqual([56, 56]);
    expect(() => parseSize('2x')).toThrow();
    expect(() => parseSize('0x5')).toThrow();
  });

  it('keeps the field of view: pixels = field_um * mag / 10, teacher first', () => {
    expect(pixelsFor(0.625, 896)).toBe(56);
    expect(planLadder(10, [5, 2.5, 10], 896).map((p) => [p.magnification, p.height])).toEqual([
      [10, 896],
      [5, 448],
      [2.5, 224],
    ]);
  });
});

describe('compute-reduction guard', () => {
  it('passes a student whose counted MACs fall as (mag_t/mag_s)^2', () => {
    const s = row(2.5, 224, 1000 / 16, { macsReduction: 16, expectedReduction: 16 });
    expect(guard(s, teacher)).toEqual({ ok: true, notes: [] });
  });

  it('flags a student fed an upsampled image (same input size, no saving)', () => {
    const s = row(2.5, 896, 1000, { macsReduction: 1, expectedReduction: 16 });
    const v = guard(s, teacher);
    expect(v.ok).toBe(false);
    expect(v.notes[0]).toMatch(/saves nothing/);
  });

  it('explains, without flagging, a deviation caused by input rounding at tiny sizes', () => {
    const s = row(0.625, 28, 1000 / 150, { macsReduction: 150, expectedReduction: 256 });
    const v = guard(s, row(10, 448, 1000));
    expect(v.ok).toBe(true);
    expect(v.notes[0]).toMatch(/input rounding/);
  });

  it('flags a measured speed-up far below the ideal for a large student, and explains overhead at tiny ones', () => {
    const big = row(5, 448, 250, { macsReduction: 4, expectedReduction: 4, trainSpeedup: 1.1, trainLatencyMs: 900 });
    expect(guard(big, teacher).ok).toBe(false);
    const fewer = row(5, 448, 600, { macsReduction: 1000 / 600, expectedReduction: 4 });
    expect(guard(fewer, teacher)).toMatchObject({ ok: false, notes: [expect.stringMatching(/does not save compute/)] });
    const tiny = row(0.625, 56, 1000 / 256, { macsReduction: 256, expectedReduction: 256, trainSpeedup: 40, trainLatencyMs: 8 });
    const v = guard(tiny, teacher);
    expect(v.ok).toBe(true);
    expect(v.notes[0]).toMatch(/overhead-bound/);
  });
});
