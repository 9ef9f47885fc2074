// Store reliability: SIGKILL mid-extraction then resume (byte-identical), corrupt and truncated shards
// (verify and the loader name shard and sample), and a full disk (clear error, no shard that reads as valid).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { extract, loadExtractConfig, readIndex, readManifest, verify } from '../../src/store/store.js';
import { cli, hasData, runCli, tempDir } from '../support.js';
import { lymphomaConfig, lymphomaSubset, SHARDS, snapshot } from './store_fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shardsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /^shard-\d+\.tar$/.test(f)) : []);

describe.skipIf(!hasData)('store resume after SIGKILL (needs the addon, the built CLI and real data)', () => {
  it('killing extract mid-way and rerunning gives a store byte-identical to an uninterrupted run', async () => {
    const root = lymphomaSubset(10);
    const cfg = lymphomaConfig(root, { threads: 1 });
    const reference = path.join(tempDir('rd-ref-'), 'store');
    await extract(loadExtractConfig(cfg), reference, { samplesPerShard: 1 });
    const out = path.join(tempDir('rd-kill-'), 'store');
    const child = spawn(process.execPath, [cli, 'extract', cfg, '--out', out, '--samples-per-shard', '1', '--json'], { stdio: 'ignore' });
    while (shardsIn(out).length < 3 && child.exitCode === null) await sleep(5);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readManifest(out).complete).toBe(false); // it really died mid-way
    expect(shardsIn(out).length).toBeLessThan(30);
    const half = await verify(out);
    expect(half.ok).toBe(false);
    const r = runCli(['extract', cfg, '--out', out, '--samples-per-shard', '1', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).shardsSkipped).toBeGreaterThanOrEqual(3);
    expect(snapshot(out)).toEqual(snapshot(reference));
  });
});

describe.skipIf(!hasData)('corrupt and truncated stores (needs the addon and real data)', () => {
  let store: string;
  beforeAll(async () => {
    store = path.join(tempDir('rd-corrupt-'), 'store');
    await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(4))), store, SHARDS);
  });

  it('one flipped byte: verify and the loader report STORE_CORRUPT naming the shard and sample', async () => {
    const copy = path.join(tempDir('rd-flip-'), 'store');
    cpSync(store, copy, { recursive: true });
    const m = readManifest(copy);
    const victim = readIndex(copy, m.shards[1]!)[2]!;
    const tar = path.join(copy, m.shards[1]!.name);
    const bytes = readFileSync(tar);
    const at = victim.views[1]!.offset + victim.views[1]!.size - 100;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(tar, bytes);
    const r = runCli(['store', 'verify', copy, '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: false, samples: 12, magnifications: [6.25, 3.125, 1.5625] });
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toContain(`shard shard-00001.tar, sample ${victim.key}`);
    const err = await runJob('data.scan', { store: copy, split: 'all', batchSize: 4 }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'STORE_CORRUPT' });
    expect((err as Error).message).toContain(`shard shard-00001.tar, sample ${victim.key}`);
  });

  it('a truncated shard: verify and the loader report STORE_CORRUPT naming the shard and the first cut sample', async () => {
    const copy = path.join(tempDir('rd-trunc-'), 'store');
    cpSync(store, copy, { recursive: true });
    const m = readManifest(copy);
    const samples = readIndex(copy, m.shards[2]!);
    truncateSync(path.join(copy, m.shards[2]!.name), samples[1]!.views[0]!.offset + 1000);
    const report = await verify(copy);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toContain(`shard shard-00002.tar: truncated`);
    expect(report.problems.join('\n')).toContain(`sample ${samples[1]!.key}`);
    const err = await runJob('data.scan', { store: copy, split: 'all' }).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'STORE_CORRUPT' });
    expect((err as Error).message).toMatch(new RegExp(`shard-00002\\.tar.*sample ${samples[1]!.key}`));
  });
});

function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
  const probe = tempDir('rd-tmpfs-probe-');
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok;
}

describe.skipIf(!hasData || !canMountTmpfs())('full disk (needs root to mount a 3 MB tmpfs, the addon and real data)', () => {
  const mnt = tempDir('rd-full-');
  afterAll(() => {
    spawnSync('umount', [mnt]);
  });

  it('fails with DISK_FULL naming the file, leaves no temp file, and every shard left reads as valid', async () => {
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]).status).toBe(0);
    const out = path.join(mnt, 'store');
    mkdirSync(out);
    const err = await extract(loadExtractConfig(lymphomaConfig(lymphomaSubset(4))), out, SHARDS).catch((e: Error & { code: string }) => e);
    expect(err).toMatchObject({ code: 'DISK_FULL' });
    expect((err as Error).message).toMatch(/shard-\d+\.(tar|idx\.json)\.tmp.*No space left/);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const report = await verify(out);
    expect(report.ok).toBe(false);
    // The only problems are the unfinished store and missing shards: nothing present fails a checksum.
    for (const p of report.problems) expect(p).toMatch(/incomplete|missing/);
    expect(shardsIn(out).length).toBeLessThan(3);
  });
});
