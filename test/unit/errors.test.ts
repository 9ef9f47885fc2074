// Pure TS (no addon): how raw failures become the typed error family.
import { describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, fromNative, IoError, ResdistillError, SlideError, StoreError } from '../../src/util/errors.js';

describe('fromNative maps raw errors to typed errors with stable codes', () => {
  it('keeps the native code and picks the family class', () => {
    const cases: [string, new (...a: never[]) => ResdistillError][] = [
      ['CONFIG_INVALID', ConfigError],
      ['CANCELLED', CancelledError],
      ['SLIDE_NO_MPP', SlideError],
      ['STORE_CORRUPT', StoreError],
    ];
    for (const [code, cls] of cases) {
      const e = fromNative(Object.assign(new Error('boom'), { code }));
      expect(e).toBeInstanceOf(cls);
      expect(e.code).toBe(code);
      expect(e.message).toBe('boom');
    }
  });

  it('maps Node fs errors: ENOSPC is DISK_FULL, other E* codes are IO_ERROR', () => {
    expect(fromNative(Object.assign(new Error('no space'), { code: 'ENOSPC' })).code).toBe('DISK_FULL');
    const io = fromNative(Object.assign(new Error('nope'), { code: 'ENOENT' }));
    expect(io).toBeInstanceOf(IoError);
    expect(io.code).toBe('IO_ERROR');
  });

  it('turns unknown shapes into INTERNAL and passes typed errors through unchanged', () => {
    expect(fromNative('a string').code).toBe('INTERNAL');
    const typed = new ConfigError('CONFIG_INVALID', 'x');
    expect(fromNative(typed)).toBe(typed);
    expect(JSON.parse(JSON.stringify(typed))).toEqual({ code: 'CONFIG_INVALID', message: 'x' });
  });
});
