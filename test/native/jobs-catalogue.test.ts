// The typed job catalogue (src/native/jobs.ts) names exactly the jobs the core registers. Needs the addon.
import { describe, expect, it } from 'vitest';
import { JOB_KIND_LIST } from '../../src/native/jobs.js';
import { native } from '../../src/native/addon.js';

describe('job catalogue (needs the addon)', () => {
  it('every native job kind has a typed entry, and no entry names a job the core lacks', () => {
    const core = native()
      .jobKinds()
      .map((j) => j.kind);
    // A build without OpenSlide has no slide.* or synth jobs; the catalogue must still be a superset.
    const optional = ['slide.', 'synth.', 'image.'];
    expect(core.filter((k) => !(JOB_KIND_LIST as readonly string[]).includes(k))).toEqual([]);
    expect(JOB_KIND_LIST.filter((k) => !core.includes(k) && !optional.some((p) => k.startsWith(p)))).toEqual([]);
  });
});
