// Bad numbers on the command line end in a typed CONFIG_INVALID naming the flag and its range (a usage error:
// exit 2), never in a stack trace, and nothing is written. Needs the built CLI and the addon; the slide commands need real data.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmuSlide, hasData, runCli, tempDir } from '../support.js';

function expectConfigInvalid(args: string[], flag: string) {
  const r = runCli([...args, '--json']);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.status).toBe(2);
  const out = JSON.parse(r.stdout);
  expect(out.error.code).toBe('CONFIG_INVALID');
  expect(out.error.message).toContain(flag);
  return out.error.message as string;
}

describe.skipIf(!hasData)('numeric flags of slide commands (needs the built CLI, the addon and real data)', () => {
  const png = () => path.join(tempDir('rd-num-'), 'r.png');
  const region = (over: Record<string, string>) => {
    const flags = { '--x': '0', '--y': '0', '--width': '100', '--height': '100', '--magnification': '5', ...over };
    return ['slide', 'region', cmuSlide, ...Object.entries(flags).flat()];
  };

  it.each([
    ['--magnification', 'NaN'],
    ['--x', 'NaN'],
    ['--width', 'abc'],
    ['--height', '1e309'],
  ])('slide region %s %s: CONFIG_INVALID, no stack trace, no PNG', (flag, value) => {
    const out = png();
    expectConfigInvalid([...region({ [flag]: value }), '--out', out], flag);
    expect(existsSync(out)).toBe(false);
  });

  it('slide region --magnification 1e-9 is refused by the magnification range instead of writing a 1 x 1 PNG', () => {
    const out = png();
    const message = expectConfigInvalid([...region({ '--magnification': '1e-9' }), '--out', out], '--magnification');
    expect(message).toContain('[0.01, 1000]');
    expect(existsSync(out)).toBe(false);
  });

  it('slide info --mpp abc and slide tissue --threshold abc: CONFIG_INVALID', () => {
    expectConfigInvalid(['slide', 'info', cmuSlide, '--mpp', 'abc'], '--mpp');
    expectConfigInvalid(['slide', 'tissue', cmuSlide, '--out', png(), '--threshold', 'abc'], '--threshold');
  });

  it('slide info --mpp 0 --force-mpp is refused, not silently ignored', () => {
    expectConfigInvalid(['slide', 'info', cmuSlide, '--mpp', '0', '--force-mpp'], '--mpp');
  });

  it('without --json the error is one typed line on stderr', () => {
    const r = runCli(['slide', 'info', cmuSlide, '--mpp', 'NaN']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("resdistill: CONFIG_INVALID: --mpp must be a number in [0.01, 1000], got 'NaN'");
  });
});

describe('numeric flags of other commands (needs the built CLI)', () => {
  it('predict --stride-um abc and run --threads 0: CONFIG_INVALID', () => {
    expectConfigInvalid(['predict', 'nowhere.svs', '--model', 'nowhere', '--stride-um', 'abc'], '--stride-um');
    expectConfigInvalid(['run', 'nowhere.json', '--out', tempDir(), '--threads', '0'], '--threads');
  });
});
