// Numbers parsed once: parseNumber accepts only finite plain decimals inside the stated range, and its
// CONFIG_INVALID message names the field and the allowed range. Pure TypeScript, no addon.
import { describe, expect, it } from 'vitest';
import { describeRange, parseNumber, RANGES } from '../../src/util/numbers.js';

describe('parseNumber', () => {
  it('accepts plain decimals, signs and exponents', () => {
    expect(parseNumber('2.5', '--mag')).toBe(2.5);
    expect(parseNumber(' -3 ', '--x')).toBe(-3);
    expect(parseNumber('1e3', '--width')).toBe(1000);
    expect(parseNumber('.5', '--f')).toBe(0.5);
  });

  it.each(['NaN', 'nan', 'Infinity', '-Infinity', '1e309', 'abc', '', ' ', '0x10', '1,5', '12px', '1e', '--1'])(
    'rejects %j with CONFIG_INVALID',
    (text) => {
      expect(() => parseNumber(text, '--width')).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(`--width must be`) }),
      );
    },
  );

  it('applies the range and names it in the message', () => {
    expect(() => parseNumber('1e-9', '--mag', RANGES.magnification)).toThrow("--mag must be a number in [0.01, 1000], got '1e-9'");
    expect(() => parseNumber('0', '--mpp', RANGES.mpp)).toThrow(/--mpp must be a number in \[0\.01, 1000\]/);
    expect(() => parseNumber('0', '--stride-um', RANGES.positive)).toThrow('--stride-um must be a number > 0');
    expect(() => parseNumber('2.5', '--threads', RANGES.threads)).toThrow('--threads must be an integer in [1, 1024]');
    expect(() => parseNumber('256', '--threshold', RANGES.saturation)).toThrow(/\[0, 255\]/);
    expect(parseNumber('255', '--threshold', RANGES.saturation)).toBe(255);
    expect(parseNumber('1000', '--mag', RANGES.magnification)).toBe(1000);
  });

  it('describes ranges the way messages print them', () => {
    expect(describeRange({})).toBe('a number (finite)');
    expect(describeRange({ min: 0, minExclusive: true, max: 1 })).toBe('a number in (0, 1]');
    expect(describeRange({ min: 1, integer: true })).toBe('an integer >= 1');
  });
});
