// A weights file is an input like any other. Whatever its header or metadata declares, describe, export and the JS
// reader answer WEIGHTS_INVALID (never INTERNAL, a raw system error or a signal), check declared sizes against the
// file's real tensor bytes before building anything, refuse NaN/Inf weights and overlapping ranges, leave no
// partial output, and notice a file replaced between reads. Needs the addon (the models.export job writes the
// small valid file every case starts from) and the built CLI; no real data.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { predictSlide } from '../../src/predict/predict.js';
import { resolveModelRef } from '../../src/predict/model-ref.js';
import { checkUnchanged, describeWeights, fileIdentity, readSafetensors } from '../../src/weights/weights.js';
import { cmuSlide, hasData, repoRoot, runCli, tempDir } from '../support.js';

const ARCH = { name: 'gn_resnet', norm: 'group', groups: 2, widths: [4, 8], blocks: [1, 1] };
const METADATA: Record<string, string> = {
  resdistillFormat: 'resdistill.weights/1',
  resdistillVersion: '0.1.0',
  architecture: JSON.stringify(ARCH),
  classes: JSON.stringify(['tumour', 'stroma']),
  magnification: '0.625',
  mpp: '16',
  unit: 'tiles',
  inputSize: '[16,16]',
  fieldOfViewUm: '[256,256]',
  inputNormalize: 'none',
  inputMean: '[0,0,0]',
  inputStd: '[1,1,1]',
  method: 'baseline',
  runId: 'hostile-test',
  synthetic: 'true',
  epoch: '1',
};

let valid: string;

interface Parsed {
  header: Record<string, unknown>;
  data: Buffer;
}
function parse(file: string): Parsed {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>, data: bytes.subarray(8 + n) };
}
/** Writes a safetensors file from a header value (any JSON) and a data section. */
function write(header: unknown, data: Buffer, name = 'w.safetensors'): string {
  const text = JSON.stringify(header);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const file = path.join(tempDir('rd-weights-'), name);
  writeFileSync(file, Buffer.concat([length, Buffer.from(text), data]));
  return file;
}
/** The valid file with its header edited by `edit`. */
function edited(edit: (h: Record<string, any>, data: Buffer) => Buffer | void): string {
  const { header, data } = parse(valid);
  const copy = Buffer.from(data);
  return write(header, edit(header, copy) ?? copy);
}

async function expectInvalid(file: string, message: RegExp) {
  await expect(describeWeights(file)).rejects.toMatchObject({ code: 'WEIGHTS_INVALID', message: expect.stringMatching(message) });
}

beforeAll(async () => {
  const raw = path.join(tempDir('rd-weights-'), 'raw.safetensors');
  await runJob('models.export', { model: ARCH, classes: 2, path: raw, seed: 1 });
  const { header, data } = parse(raw);
  header.__metadata__ = METADATA;
  valid = write(header, data, 'valid.safetensors');
});

describe('a weights file cannot crash, exhaust memory or mix versions (needs the addon)', () => {
  it('the valid file describes itself (the control)', async () => {
    const d = await describeWeights(valid);
    expect(d.classes).toEqual(['tumour', 'stroma']);
    expect(readSafetensors(valid).tensors.size).toBeGreaterThan(0);
  });

  it.each([
    ['a header that is an array', () => write([1, 2], Buffer.alloc(0)), /not a JSON object/],
    ['__metadata__ that is not an object', () => edited((h) => void (h.__metadata__ = 'x')), /__metadata__ must be an object/],
    [
      'metadata values that are not strings',
      () => edited((h) => void (h.__metadata__ = { ...METADATA, epoch: 1 })),
      /__metadata__\.epoch must be a string/,
    ],
    ['an entry without data_offsets', () => edited((h) => void delete h['fc.bias'].data_offsets), /fc\.bias/],
    ['an entry that is not an object', () => edited((h) => void (h['fc.bias'] = 7)), /fc\.bias/],
    // Found by the safetensors-header fuzzer under UBSan: nlohmann converted 4.29e20 to an integer unchecked.
    ['data_offsets that are not whole numbers', () => edited((h) => void (h['fc.bias'].data_offsets = [4.29497e20, 0])), /data_offsets/],
    ['a dimension that is not a whole number', () => edited((h) => void (h['fc.bias'].shape = [2.5])), /fc\.bias/],
    [
      'a shape of 10^12 elements',
      () => edited((h) => void (h['fc.weight'].shape = [1e6, 1e6])),
      /fc\.weight' has offsets outside the file/,
    ],
  ])('%s: WEIGHTS_INVALID from the native reader and the JS reader', async (_, make, message) => {
    const file = make();
    await expectInvalid(file, message);
    expect(() => readSafetensors(file)).toThrow(expect.objectContaining({ code: 'WEIGHTS_INVALID' }));
  });

  it('a stain reference in the metadata is read back whole, and a malformed one is refused naming it', async () => {
    const stain = { method: 'reinhard', mean: [60, 20, -15], std: [12, 8, 6], samples: 4, pixels: 1000 };
    const good = edited((h) => void (h.__metadata__ = { ...METADATA, stain: JSON.stringify(stain) }));
    expect((await describeWeights(good)).input.stain).toEqual(stain);
    const bad = edited((h) => void (h.__metadata__ = { ...METADATA, stain: '{"method": "macenko"}' }));
    await expectInvalid(bad, /'stain': a macenko reference needs stainMatrix/);
  });

  it('overlapping ranges and holes are refused, as the format requires', async () => {
    // fc.bias made to point into fc.weight's bytes (same length): two tensors share bytes, and its own bytes are a hole.
    const overlap = edited((h) => {
      const [a] = h['fc.weight'].data_offsets as number[];
      h['fc.bias'].data_offsets = [a, a + 8];
    });
    await expectInvalid(overlap, /overlaps another tensor's bytes|hole/);
    expect(() => readSafetensors(overlap)).toThrow(/overlaps another tensor's bytes|hole/);
    const hole = edited((_, data) => Buffer.concat([data, Buffer.alloc(16)]));
    await expectInvalid(hole, /bytes no tensor names/);
  });

  it('NaN or infinite weights are refused by describe and by the exporter, and nothing is written', async () => {
    const file = edited((h, data) => {
      const [a] = h['fc.weight'].data_offsets as number[];
      data.writeFloatLE(Number.NaN, a!);
    });
    await expectInvalid(file, /fc\.weight' holds NaN or infinite values/);
    expect(() => readSafetensors(file)).toThrow(/holds NaN or infinite values/);
    const out = tempDir('rd-onnx-');
    const r = runCli(['export', file, '--onnx', path.join(out, 'm.onnx'), '--json']);
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'WEIGHTS_INVALID' } });
    expect(readdirSync(out)).toEqual([]);
  });

  it('10,000 declared classes are refused from the metadata', async () => {
    const file = edited(
      (h) => void (h.__metadata__ = { ...METADATA, classes: JSON.stringify(Array.from({ length: 10_000 }, (_, i) => `c${i}`)) }),
    );
    await expectInvalid(file, /'classes' lists 10000 names, more than the 1000/);
  });

  it('a huge declared architecture is refused before it is built: typed error, bounded memory, no signal', () => {
    // Widths of 65536 in 8 stages would be tens of gigabytes of weights; the file holds a few kilobytes.
    const file = edited(
      (h) =>
        void (h.__metadata__ = {
          ...METADATA,
          architecture: JSON.stringify({ ...ARCH, groups: 1, widths: Array(8).fill(65536), blocks: Array(8).fill(4) }),
        }),
    );
    const script = `
      const { describeWeights } = await import(${JSON.stringify(path.join(repoRoot, 'dist', 'weights', 'weights.js'))});
      const out = await describeWeights(${JSON.stringify(file)}).then(() => ({ code: 'none' }), (e) => ({ code: e.code, message: e.message }));
      process.stdout.write(JSON.stringify({ ...out, rssMb: process.resourceUsage().maxRSS / 1024 }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    const out = JSON.parse(r.stdout) as { code: string; message: string; rssMb: number };
    expect(out.code).toBe('WEIGHTS_INVALID');
    expect(out.message).toMatch(/needs at least .* MB of float32 weights, the file holds/);
    expect(out.rssMb).toBeLessThan(1500);
  });

  it('negative or zero widths are refused as metadata, not a LibTorch error', async () => {
    const file = edited((h) => void (h.__metadata__ = { ...METADATA, architecture: JSON.stringify({ ...ARCH, widths: [4, -8] }) }));
    await expectInvalid(file, /widths.*must be >= 1/);
  });

  it('a failed export removes its temp file (a folder stands where the model would go)', () => {
    const out = tempDir('rd-onnx-');
    mkdirSync(path.join(out, 'm.onnx'));
    writeFileSync(path.join(out, 'm.onnx', 'keep'), '');
    const r = runCli(['export', valid, '--onnx', path.join(out, 'm.onnx'), '--json']);
    expect(r.status, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toMatch(/^(IO_ERROR|CONFIG_INVALID)$/);
    expect(readdirSync(out)).toEqual(['m.onnx']);
  });

  it('a file replaced or rewritten after it was read is noticed (WEIGHTS_INVALID), an untouched one is not', () => {
    const file = edited(() => undefined);
    const identity = fileIdentity(file);
    expect(() => checkUnchanged(file, identity)).not.toThrow();
    const bytes = readFileSync(file);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, bytes.length - 4), Buffer.from([1, 2, 3, 4])]));
    expect(() => checkUnchanged(file, identity)).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_INVALID', message: expect.stringMatching(/changed while it was in use/) }),
    );
  });

  it.skipIf(!hasData)('predict refuses weights replaced after they were described, writing nothing (real CMU slide)', async () => {
    const file = edited(() => undefined);
    const ref = await resolveModelRef(file);
    expect(ref.classes).toEqual(['tumour', 'stroma']);
    // Another version of the model lands under the same name between describe and classify.
    const other = edited((h) => void (h.__metadata__ = { ...METADATA, classes: JSON.stringify(['benign', 'malignant']) }));
    writeFileSync(file, readFileSync(other));
    const out = path.join(tempDir('rd-predict-'), 'out');
    await expect(predictSlide(cmuSlide, ref, { out, teacher: false })).rejects.toMatchObject({
      code: 'WEIGHTS_INVALID',
      message: expect.stringMatching(/changed while it was in use/),
    });
    expect(existsSync(out)).toBe(false);
  });
});
