// Needs the addon and real data (a lymphoma-iicbu2008 subset to train on, the CMU slide for images); Python parts need
// /usr/bin/python3 with torch and numpy, the ONNX part onnxruntime-node (a devDependency).
// A trained model leaves the tool as a self-describing file: its safetensors metadata rebuilds the model and its
// preprocessing; Python (python/resdistill_models.py) and ONNX Runtime (resdistill export) reproduce LibTorch's logits
// to 1e-4 on real slide images at the student's magnification; predict uses the file alone; bad metadata is refused.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/native/job.js';
import { openSlide } from '../../src/slide/slide.js';
import { describeWeights, type WeightsDescription } from '../../src/weights/weights.js';
import { cmuSlide, hasData, pythonHas, repoRoot, runCli, tempDir } from '../support.js';
import { lymphomaSubset } from './store_fixtures.js';

const STUDENT_MAG = 0.78125; // 12.8 um/px: a 16x smaller field of pixels than the 3.125x teacher
const TOLERANCE = 1e-4;
const hasPython = pythonHas('torch', 'numpy');
const pythonModule = path.join(repoRoot, 'python', 'resdistill_models.py');

interface Trained {
  best: string;
  final: string;
}
const runs: Record<'teacher' | 'kd' | 'resnet18', Trained> = {} as never;
const images: { file: string; height: number; width: number; pixels: Buffer }[] = [];

/** An RGB uint8 H x W x 3 .npy (the header numpy writes for a C-order |u1 array). */
function writeNpy(file: string, height: number, width: number, pixels: Buffer): void {
  let dict = `{'descr': '|u1', 'fortran_order': False, 'shape': (${height}, ${width}, 3), }`;
  dict += ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  writeFileSync(file, Buffer.concat([head, Buffer.from(dict, 'latin1'), pixels]));
}

/** A copy of a safetensors file whose metadata `edit` rewrote (the tensors untouched). */
function withMetadata(file: string, edit: (m: Record<string, string>) => void): string {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const metadata = { ...(header.__metadata__ as Record<string, string>) };
  edit(metadata);
  header.__metadata__ = metadata;
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const out = path.join(tempDir('rd-meta-'), 'edited.safetensors');
  writeFileSync(out, Buffer.concat([length, Buffer.from(text), bytes.subarray(8 + n)]));
  return out;
}

/** LibTorch's logits for every image, through the file's own description (the weights.forward job). */
async function libtorchLogits(weights: string): Promise<number[][]> {
  return (await runJob<{ logits: number[][] }>('weights.forward', { path: weights, images: images.map((i) => i.file) })).logits;
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  return Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));
}

/** The input ONNX Runtime gets: the metadata's preprocessing done in float32, as LibTorch does it. */
function onnxInput(d: WeightsDescription, img: (typeof images)[number]): ort.Tensor {
  const { height, width, pixels } = img;
  const x = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(d.input.mean[c]!);
    const std = Math.fround(d.input.std[c]!);
    for (let p = 0; p < height * width; p++)
      x[c * height * width + p] = Math.fround(Math.fround(Math.fround(pixels[3 * p + c]! / 255) - mean) / std);
  }
  return new ort.Tensor('float32', x, [1, 3, height, width]);
}

describe.skipIf(!hasData)('self-describing weights, Python and ONNX (addon, ../shared/data)', () => {
  beforeAll(async () => {
    const store = path.join(tempDir('rd-weights-'), 'store');
    await runJob('store.extract', {
      source: { kind: 'images', root: lymphomaSubset(6), mpp: 1.6 },
      magnifications: [3.125, STUDENT_MAG],
      out: store,
      splits: { seed: 1, train: 0.6, val: 0.2, test: 0.2 },
    });
    const common = { store, epochs: 1, batchSize: 8, seed: 3, augment: {} };
    const train = async (kind: string, spec: Record<string, unknown>): Promise<Trained> => {
      const r = await runJob<{ bestCheckpoint: string; finalCheckpoint: string }>(kind, {
        ...common,
        out: path.join(tempDir('rd-run-'), 'run'),
        ...spec,
      });
      return { best: r.bestCheckpoint, final: r.finalCheckpoint };
    };
    runs.teacher = await train('train.supervised', {
      magnification: 3.125,
      model: { name: 'gn_resnet' },
      weights: { method: 'teacher', runId: 'teacher-run-key' },
    });
    runs.kd = await train('train.distill', {
      magnification: STUDENT_MAG,
      model: { name: 'gn_resnet' },
      teacher: { magnification: 3.125, model: { name: 'gn_resnet' }, checkpoint: runs.teacher.best },
      weights: { method: 'kd', runId: 'kd-run-key' },
    });
    runs.resnet18 = await train('train.supervised', {
      magnification: STUDENT_MAG,
      model: { name: 'resnet18' },
      weights: { method: 'baseline', runId: 'baseline-run-key' },
    });

    // Real tissue at the student's magnification: three tiles of the training field of view and the whole slide
    // (another size: the networks are fully convolutional, and the exports are dynamic in height and width).
    const slide = openSlide(cmuSlide);
    const dir = tempDir('rd-img-');
    const um = (px: number) => px / slide.info.mpp.x;
    const rects = [
      { x: 0, y: 0, width: Math.round(um(666)), height: Math.round(um(500)) },
      { x: Math.round(um(400)), y: Math.round(um(700)), width: Math.round(um(666)), height: Math.round(um(500)) },
      { x: Math.round(um(300)), y: Math.round(um(300)), width: Math.round(um(666)), height: Math.round(um(500)) },
      { x: 0, y: 0, width: slide.info.width, height: slide.info.height },
    ];
    rects.forEach((rect, i) => {
      const region = slide.readRegion(rect, { magnification: STUDENT_MAG });
      const file = path.join(dir, `tile-${i}.npy`);
      writeNpy(file, region.height, region.width, region.data);
      images.push({ file, height: region.height, width: region.width, pixels: region.data });
    });
    slide.close();
  });

  it('stamps architecture, classes, magnification, field of view, normalisation, method, version and run id into best and final', async () => {
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    for (const file of [runs.kd.best, runs.kd.final]) {
      const d = await describeWeights(file);
      expect(d).toMatchObject({
        format: 'resdistill.weights/1',
        version,
        architecture: { name: 'gn_resnet', norm: 'group', groups: 32, widths: [32, 64, 128, 256], blocks: [1, 1, 1, 1] },
        classes: ['CLL', 'FL', 'MCL'],
        magnification: STUDENT_MAG,
        mpp: 12.8,
        unit: 'tiles',
        method: 'kd',
        runId: 'kd-run-key',
        synthetic: false,
        teacherMagnification: 3.125,
        epoch: 1,
      });
      // The stored view's size at 12.8 um/px (417 x 312 px at 1.6 um/px, area-downsampled by 8) and its field of view.
      expect(d.inputSize).toEqual([39, 52]);
      expect(d.fieldOfViewUm![0]).toBeCloseTo(39 * 12.8, 6);
      // The dataset's statistics, not the identity: what the loader applied during training.
      expect(d.input.normalize).toBe('dataset');
      expect(d.input.std.every((s) => s > 0.05 && s < 0.5)).toBe(true);
      expect(d.input.mean.every((m) => m > 0.2 && m < 0.9)).toBe(true);
    }
    expect(await describeWeights(runs.resnet18.best)).toMatchObject({
      architecture: { name: 'resnet18', norm: 'batch' },
      method: 'baseline',
    });
  });

  it('refuses, with WEIGHTS_INVALID naming the problem, metadata that is missing or disagrees with the tensors', async () => {
    const cases: [string, (m: Record<string, string>) => void, RegExp][] = [
      [
        'no metadata',
        (m) => {
          for (const k of Object.keys(m)) delete m[k];
        },
        /missing 'resdistillFormat'.*missing 'classes'.*missing 'architecture'/,
      ],
      [
        'a class more than the logits',
        (m) => {
          m.classes = JSON.stringify(['CLL', 'FL', 'MCL', 'DLBCL']);
        },
        /fc\.weight.*shape/,
      ],
      [
        'another architecture',
        (m) => {
          m.architecture = JSON.stringify({ name: 'resnet18', norm: 'batch', groups: 32 });
        },
        /missing tensor|unexpected tensor/,
      ],
      [
        'magnification and mpp apart',
        (m) => {
          m.mpp = '1.6';
        },
        /'magnification' and 'mpp' disagree/,
      ],
      [
        'a zero std',
        (m) => {
          m.inputStd = '[0.1, 0, 0.1]';
        },
        /'inputStd' must hold finite numbers > 0/,
      ],
    ];
    for (const [, edit, message] of cases) {
      await expect(describeWeights(withMetadata(runs.kd.best, edit))).rejects.toMatchObject({ code: 'WEIGHTS_INVALID', message });
    }
  });

  it.skipIf(!hasPython)(
    'Python rebuilds the model from the metadata alone and matches LibTorch to 1e-4 (gn_resnet and resnet18)',
    async () => {
      for (const run of [runs.kd, runs.resnet18]) {
        const r = spawnSync('/usr/bin/python3', [pythonModule, run.best, ...images.map((i) => i.file)], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as { metadata: { classes: string[] }; logits: number[][] };
        expect(out.metadata.classes).toEqual(['CLL', 'FL', 'MCL']);
        expect(maxAbsDiff(out.logits, await libtorchLogits(run.best))).toBeLessThan(TOLERANCE);
      }
      const bad = spawnSync('/usr/bin/python3', [pythonModule, withMetadata(runs.kd.best, (m) => delete m.classes)], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({
        error: { code: 'WEIGHTS_INVALID', message: expect.stringMatching(/missing classes/) },
      });
    },
  );

  it('exports ONNX that ONNX Runtime runs at any batch, height and width, matching LibTorch to 1e-4 (gn_resnet and resnet18)', async () => {
    for (const run of [runs.kd, runs.resnet18]) {
      const file = path.join(tempDir('rd-onnx-'), 'model.onnx');
      const cli = runCli(['export', run.best, '--onnx', file, '--json']);
      expect(cli.status, cli.stderr + cli.stdout).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ file, opset: 17 });
      const d = await describeWeights(run.best);
      const session = await ort.InferenceSession.create(file);
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['logits', 'featureMap']);
      const logits: number[][] = [];
      for (const img of images) logits.push(Array.from((await session.run({ input: onnxInput(d, img) })).logits!.data as Float32Array));
      expect(maxAbsDiff(logits, await libtorchLogits(run.best))).toBeLessThan(TOLERANCE);
      // A batch of the three same-size tiles gives each tile's logits.
      const [a, b, c] = images.slice(0, 3).map((img) => onnxInput(d, img).data as Float32Array);
      const batch = new Float32Array([...a!, ...b!, ...c!]);
      const batched = (await session.run({ input: new ort.Tensor('float32', batch, [3, 3, images[0]!.height, images[0]!.width]) })).logits!
        .data as Float32Array;
      expect(Math.max(...Array.from(batched).map((v, i) => Math.abs(v - logits[Math.floor(i / 3)]![i % 3]!)))).toBeLessThan(TOLERANCE);
      // The description travels as metadata_props.
      const model = onnxProto.onnx.ModelProto.decode(readFileSync(file));
      const props = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
      expect(JSON.parse(props.classes!)).toEqual(['CLL', 'FL', 'MCL']);
      expect(props).toMatchObject({ magnification: String(STUDENT_MAG), resdistillFormat: 'resdistill.weights/1', runId: d.runId });
      expect(props.preprocessing).toMatch(/\/ 255 -> \(x - inputMean\) \/ inputStd/);
      await session.release();
    }
  });

  it('export refuses a file without a description, and an opset outside 13-17, with typed errors', () => {
    const noMeta = runCli([
      'export',
      withMetadata(runs.kd.best, (m) => delete m.architecture),
      '--onnx',
      path.join(tempDir(), 'x.onnx'),
      '--json',
    ]);
    expect(noMeta.status).toBe(1);
    expect(JSON.parse(noMeta.stdout)).toMatchObject({ error: { code: 'WEIGHTS_INVALID' } });
    const opset = runCli(['export', runs.kd.best, '--onnx', path.join(tempDir(), 'x.onnx'), '--opset', '18', '--json']);
    expect(opset.status).toBe(2); // a bad flag value is a usage error, reported before anything runs
    expect(JSON.parse(opset.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
  });

  it('predict --model <weights file> classifies the CMU slide with nothing beside the file', () => {
    const alone = path.join(tempDir('rd-alone-'), 'student.safetensors');
    copyFileSync(runs.kd.best, alone);
    const out = path.join(tempDir('rd-pred-'), 'pred');
    const r = runCli(['predict', cmuSlide, '--model', alone, '--out', out, '--min-tissue', '0.1', '--json']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const result = JSON.parse(r.stdout) as {
      synthetic: boolean;
      model: { method: string; magnification: number; runId: string };
      classes: string[];
      tiles: number;
      teacher: unknown;
    };
    expect(result).toMatchObject({
      synthetic: false,
      model: { method: 'kd', magnification: STUDENT_MAG, runId: 'kd-run-key' },
      classes: ['CLL', 'FL', 'MCL'],
      teacher: null,
    });
    expect(result.tiles).toBeGreaterThan(0);
    for (const f of ['prediction.json', 'tiles.csv', 'heatmap.png']) expect(existsSync(path.join(out, f))).toBe(true);

    const refused = runCli(['predict', cmuSlide, '--model', withMetadata(runs.kd.best, (m) => delete m.classes), '--out', out, '--json']);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      error: { code: 'WEIGHTS_INVALID', message: expect.stringMatching(/missing 'classes'/) },
    });
  });

  it.skipIf(!hasPython)(
    "predict's tiles.csv is RFC 4180: class names with a comma and a quote read back intact (Python's csv module)",
    () => {
      const names = ['CLL, small', 'FL "follicular"', 'MCL'];
      const weights = withMetadata(runs.kd.best, (m) => {
        m.classes = JSON.stringify(names);
        m.synthetic = 'true';
      });
      const out = path.join(tempDir('rd-csv-'), 'pred');
      const r = runCli(['predict', cmuSlide, '--model', weights, '--out', out, '--min-tissue', '0.1', '--json']);
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const read = spawnSync(
        '/usr/bin/python3',
        ['-c', 'import csv,json,sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))', path.join(out, 'tiles.csv')],
        { encoding: 'utf8' },
      );
      const rows = JSON.parse(read.stdout) as string[][];
      expect(rows[0]).toEqual(['x', 'y', 'width', 'height', 'tissue', 'label', ...names.map((n) => `p_${n}`)]);
      expect(rows.slice(1).every((row) => row.length === 6 + names.length && names.includes(row[5]!))).toBe(true);
      // Trained on SYNTHETIC data (as this edited file claims): every output says so.
      const prediction = JSON.parse(readFileSync(path.join(out, 'prediction.json'), 'utf8')) as { synthetic: boolean; warning: string };
      expect(prediction).toMatchObject({ synthetic: true, warning: expect.stringMatching(/^SYNTHETIC/) });
      const human = runCli(['predict', cmuSlide, '--model', weights, '--out', out, '--min-tissue', '0.1']);
      expect(human.stdout).toMatch(/^SYNTHETIC/);
    },
  );
});
