// Pure TS: an experiment's description is a note copied into the plan, every run and the report, so a huge one
// (50 MB) is refused by the config with CONFIG_INVALID naming the field, and the message does not echo it.
import { describe, expect, it } from 'vitest';
import { resolveExperiment } from '../../src/config/load.js';

const minimal = { data: { source: 'images', root: 'imgs', mpp: 1.6 } };

describe('experiment description', () => {
  it('a 50 MB description is CONFIG_INVALID naming the field and its limit, in a short message', () => {
    let err: Error & { code?: string } = new Error('none');
    try {
      resolveExperiment({ ...minimal, description: 'x'.repeat(50_000_000) });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/description.*10000/);
    expect(err.message.length).toBeLessThan(1000);
  });

  it('a description of ordinary length is kept', () => {
    expect(resolveExperiment({ ...minimal, description: 'LUAD, 10x teacher' }).description).toBe('LUAD, 10x teacher');
  });
});
