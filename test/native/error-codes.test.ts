// Error codes have one C++ home (native/core/util/error.h, listed by versions().errorCodes) and one TS home
// (src/util/errors.ts): every code the core raises is a typed TS error, and TS adds only the codes of its own layer.
// Needs the addon.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/util/errors.js';
import { nativeVersions } from '../../src/native/addon.js';

/** Raised in TypeScript only: the CLI's usage errors, the run lock, a changed config in a run's folder, loading the addon. */
const TS_ONLY = ['USAGE', 'RUN_LOCKED', 'RUN_CONFIG_CHANGED', 'NATIVE_LOAD_FAILED', 'LIBTORCH_MISMATCH'];

describe('error codes (needs the addon)', () => {
  it("the core's codes plus the TS layer's own are exactly src/util/errors.ts's list", () => {
    const core = nativeVersions().errorCodes;
    expect(core.length).toBeGreaterThan(10);
    expect(new Set(core).size).toBe(core.length);
    expect([...core, ...TS_ONLY].sort()).toEqual([...ERROR_CODES].sort());
  });
});
