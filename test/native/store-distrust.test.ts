// A store that distrusts itself: the reader checks every index entry against the member it names (size, shape,
// offsets inside the shard, the tar header) before any pixel is read, and verify finds what the reader refuses.
// Needs the addon, the built CLI and real data.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extract, loadExtractConfig, merge, readIndex, readManifest, type Manifest } from '../../src/store/store.js';
import { storeInfo } from '../../src/store/info.js';
import { hasData, repoRoot, runCli, tempDir } from '../support.js';
import { lymphomaConfig, lymphomaSubset, SHARDS, snapshot } from './store_fixtures.js';

/** Runs data.scan over a store in a child process, so a crash shows as a signal instead of killing the test worker. */
function scanInChild(store: string) {
  const script = `import('${path.join(repoRoot, 'dist', 'native', 'job.js')}').then(({ runJob }) => runJob('data.scan', { store: ${JSON.stringify(store)}, split: 'all', batchSize: 4 }))
    .then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, signal: r.signal, result: r.stdout.trim() ? JSON.parse(r.stdout.trim().split('\n').pop()!) : null };
}

/** Rewrites one shard's index and drops the manifest's index checksum, as a tool that "repairs" indexes would. */
function editIndex(store: string, shard: number, edit: (samples: ReturnType<typeof readIndex>) => void): void {
  const m = readManifest(store);
  const entry = m.shards[shard]!;
  const samples = readIndex(store, entry);
  edit(samples);
  writeFileSync(path.join(store, entry.index), JSON.stringify({ samples }));
  delete (entry as Manifest['shards'][number] & { indexCrc32?: number }).indexCrc32;
  writeFileSync(path.join(store, 'manifest.json'), JSON.stringify(m, null, 1));
}

describe.skipIf(!hasData)('a store whose index lies (needs the addon, the built CLI and real data)', () => {
  let store: string;
  let config: string;
  beforeAll(async () => {
    store = path.join(tempDir('rd-distrust-'), 'store');
    config = lymphomaConfig(lymphomaSubset(4));
    await extract(loadExtractConfig(config), store, SHARDS);
  });
  const copy = () => {
    const c = path.join(tempDir('rd-lie-'), 'store');
    cpSync(store, c, { recursive: true });
    return c;
  };

  it('an index claiming a larger view shape than its member holds: verify and the loader report STORE_CORRUPT, no crash', () => {
    const c = copy();
    let key = '';
    editIndex(c, 1, (samples) => {
      const v = samples[2]!.views[0]!;
      key = samples[2]!.key;
      v.shape = [v.shape[0] * 8, v.shape[1] * 8, v.shape[2]];
    });
    const r = runCli(['store', 'verify', c, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(new RegExp(`shard-00001\\.tar.*sample ${key}.*shape`));
    const scan = scanInChild(c);
    expect(scan.signal).toBeNull();
    expect(scan.result).toMatchObject({ code: 'STORE_CORRUPT' });
    expect(scan.result.message).toContain(`sample ${key}`);
  });

  it('an index whose sizes, shapes and checksums agree with each other but point past the member: STORE_CORRUPT, no crash', () => {
    const c = copy();
    editIndex(c, 0, (samples) => {
      // The first view of sample 0 now claims to hold the bytes of the whole rest of the shard.
      const v = samples[0]!.views[0]!;
      const [h, w, ch] = v.shape;
      const header = v.size - h * w * ch;
      v.shape = [h * 2, w, ch];
      v.size = header + h * 2 * w * ch;
    });
    const r = runCli(['store', 'verify', c, '--json']);
    expect(JSON.parse(r.stdout).ok).toBe(false);
    const scan = scanInChild(c);
    expect(scan.signal).toBeNull();
    expect(scan.result).toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it("an index whose member offset points outside the shard, or whose names are not the sample's members: STORE_CORRUPT", () => {
    const c = copy();
    editIndex(c, 2, (samples) => {
      samples[0]!.views[1]!.offset = 2 ** 52;
      samples[1]!.views[0]!.name = '../../etc/passwd';
    });
    const report = JSON.parse(runCli(['store', 'verify', c, '--json']).stdout);
    expect(report.ok).toBe(false);
    const scan = scanInChild(c);
    expect(scan.signal).toBeNull();
    expect(scan.result).toMatchObject({ code: 'STORE_CORRUPT' });
  });

  it('a flipped byte in a tar header (the member data untouched) fails verify naming the shard', () => {
    const c = copy();
    const m = readManifest(c);
    const victim = readIndex(c, m.shards[1]!)[1]!;
    const tar = path.join(c, m.shards[1]!.name);
    const bytes = readFileSync(tar);
    const at = victim.views[0]!.offset - 512 + 3; // inside the member's name field of its ustar header
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(tar, bytes);
    const report = JSON.parse(runCli(['store', 'verify', c, '--json']).stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/shard-00001\.tar.*tar header/);
  });

  it('verify never follows a shard name out of the store folder', () => {
    const c = copy();
    const outside = path.join(path.dirname(c), 'outside');
    const m = readManifest(c);
    cpSync(path.join(c, m.shards[0]!.name), path.join(outside, 's.tar'), { recursive: true });
    m.shards[0]!.name = '../outside/s.tar';
    writeFileSync(path.join(c, 'manifest.json'), JSON.stringify(m, null, 1));
    const r = runCli(['store', 'verify', c, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/\.\.\/outside\/s\.tar.*outside the store/);
  });

  it('rerunning extract over a truncated or corrupted finished shard notices, extracts it again and ends byte-identical', async () => {
    const c = copy();
    const m = readManifest(c);
    truncateSync(path.join(c, m.shards[0]!.name), 3000);
    const tar = path.join(c, m.shards[2]!.name);
    const bytes = readFileSync(tar);
    const at = readIndex(c, m.shards[2]!)[1]!.views[0]!.offset + 200;
    bytes[at] = bytes[at]! ^ 0x40;
    writeFileSync(tar, bytes);
    const r = await extract(loadExtractConfig(config), c, SHARDS);
    expect(r).toMatchObject({ shardsRepaired: 2, shardsWritten: 2, complete: true });
    expect(snapshot(c)).toEqual(snapshot(store));
    const again = await extract(loadExtractConfig(config), c, SHARDS);
    expect(again).toMatchObject({ shardsRepaired: 0, shardsWritten: 0 });
  });

  it('store info with a missing index file: per-class counts plus the unreadable count add up, and the index is named', () => {
    const c = copy();
    const whole = storeInfo(c);
    const m = readManifest(c);
    rmSync(path.join(c, m.shards[1]!.index));
    const info = storeInfo(c);
    let unreadable = 0;
    for (const [name, split] of Object.entries(info.splits)) {
      const counted = Object.values(split.perClass).reduce((a, b) => a + b, 0);
      expect(counted + split.unreadable, name).toBe(split.samples);
      for (const [cls, n] of Object.entries(split.perClass)) expect(n).toBeLessThanOrEqual(whole.splits[name]!.perClass[cls]!);
      unreadable += split.unreadable;
    }
    expect(unreadable).toBe(m.shards[1]!.samples);
    expect(info.problems.join('\n')).toContain(m.shards[1]!.index);
    const text = runCli(['store', 'info', c]).stdout;
    expect(text).toMatch(/of unknown class \(index unreadable\)/);
  });

  it('merge refuses a part whose shard is damaged instead of writing fresh checksums over it', async () => {
    const base = tempDir('rd-merge-bad-');
    const parts = [0, 1].map((index) => path.join(base, `p${index}`));
    for (const [index, out] of parts.entries()) await extract(loadExtractConfig(config), out, { ...SHARDS, part: { index, count: 2 } });
    const m = readManifest(parts[1]!);
    const tar = path.join(parts[1]!, m.shards[1]!.name);
    const bytes = readFileSync(tar);
    const at = readIndex(parts[1]!, m.shards[1]!)[0]!.views[0]!.offset + 300;
    bytes[at] = bytes[at]! ^ 0x10;
    writeFileSync(tar, bytes);
    const err = await merge(path.join(base, 'merged'), parts).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'STORE_CORRUPT' });
    expect((err as Error).message).toMatch(/shard-00001\.tar.*CRC-32/);
  });

  it('a manifest claiming 10^15 samples is refused by the memory budget, not by an allocation failure', () => {
    const c = copy();
    const m = readManifest(c);
    m.samples = 1e15;
    writeFileSync(path.join(c, 'manifest.json'), JSON.stringify(m));
    const r = runCli(['store', 'verify', c, '--json']);
    const out = JSON.parse(r.stdout);
    expect(out.error?.code ?? out.problems.join('\n')).toMatch(/RESOURCE_LIMIT|budget/);
  });
});
