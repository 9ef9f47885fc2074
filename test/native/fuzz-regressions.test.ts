// Every input a fuzzer ever crashed on (test/fuzz-corpus/<target>/, from `npm run fuzz`) is replayed through the
// same target in the C++ driver: each must be refused with a typed error or read safely, never crash.
// Needs the built driver (build/resdistill-driver).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support.js';

const driver = path.join(repoRoot, 'build', 'resdistill-driver');
const corpus = path.join(repoRoot, 'test', 'fuzz-corpus');
const targets = existsSync(corpus) ? readdirSync(corpus).filter((t) => readdirSync(path.join(corpus, t)).length > 0) : [];

describe.skipIf(!existsSync(driver))('fuzz regression corpus (needs the driver)', () => {
  it('has at least the store-index crash that once read past a shard', () => {
    expect(targets).toContain('store-index');
  });

  it.each(targets)('%s: every saved input is handled without a crash', (target) => {
    const files = readdirSync(path.join(corpus, target)).map((f) => path.join(corpus, target, f));
    const r = spawnSync(driver, ['replay', target, ...files], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
  });
});
