// Magnification versus compute: counted MACs/FLOPs (exact, from the native cost model), measured throughput,
// and the compute-reduction guard (FLOPs should fall about as (teacher mag / student mag)^2). Pure planning and arithmetic here; tensors stay native.
import { runNative } from '../native/jobs.js';
import type { CountedRow, Measured, Counted } from '../native/job-types.js';
import { mppAt } from '../util/magnification.js';
export type { CountedRow, Measured, Counted } from '../native/job-types.js';

export interface ModelChoice {
  model: string;
  classes?: number;
}

export interface RuntimeChoice {
  device?: string;
  threads?: number;
  bf16?: boolean;
  channelsLast?: boolean;
  batchSize?: number;
  reps?: number;
}

/** What a measured cost ladder runs when the caller does not say (the bench cost command shows these). */
export const MEASURE_DEFAULTS = { batchSize: 4, reps: 3 } as const;

/** One magnification (or one explicit size): counted cost, measured speed and the guard's verdict. */
export interface CostRow extends Omit<CountedRow, 'ops'> {
  magnification: number | null;
  /** teacher MACs / this row's MACs (1 for the teacher). */
  macsReduction: number | null;
  /** (mag_teacher / mag)^2: what a fully convolutional network should save. */
  expectedReduction: number | null;
  forwardImagesPerSecond?: number;
  trainImagesPerSecond?: number;
  forwardLatencyMs?: number;
  trainLatencyMs?: number;
  /** the measured forward pass split its batch across threads (native/core/models/batch_parallel.h) */
  batchParallel?: boolean;
  forwardSpeedup?: number | null;
  trainSpeedup?: number | null;
  guard: GuardVerdict;
}

export interface GuardVerdict {
  ok: boolean;
  notes: string[];
}

/** "224x160" or "224" -> [height, width]. */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(text.trim());
  if (!m) throw new Error(`size must be HxW or N, got '${text}'`);
  const h = Number(m[1]);
  const w = m[2] === undefined ? h : Number(m[2]);
  if (h < 1 || w < 1) throw new Error(`size must be >= 1, got '${text}'`);
  return [h, w];
}

/** Input pixels of a square field of view of `sizeUm` microns at `mag`, rounded to whole pixels. */
export function pixelsFor(mag: number, sizeUm: number): number {
  return Math.max(1, Math.round(sizeUm / mppAt(mag)));
}

/** Teacher first, then the students, each with the same field of view. */
export function planLadder(teacherMag: number, mags: number[], sizeUm: number): { magnification: number; height: number; width: number }[] {
  const all = [teacherMag, ...mags.filter((m) => m !== teacherMag)];
  return all.map((mag) => {
    const px = pixelsFor(mag, sizeUm);
    return { magnification: mag, height: px, width: px };
  });
}

const TOLERANCE = 0.25; // counted MACs may deviate 25% from (mag_t/mag_s)^2 before the guard speaks
const MEASURED_FRACTION = 0.5; // a measured speed-up below half the expected one is flagged
const TINY_PX = 64; // below this, stride-2 ceil rounding visibly inflates a student's feature maps
const OVERHEAD_MS = 20; // a student step faster than this is dominated by fixed per-call cost

/** The compute-reduction guard: counted and measured cost must fall roughly as (mag_t / mag_s)^2. */
export function guard(row: Omit<CostRow, 'guard'>, teacher: Omit<CostRow, 'guard'>): GuardVerdict {
  const notes: string[] = [];
  let ok = true;
  if (row.expectedReduction === null || row.macsReduction === null || row.expectedReduction === 1) return { ok, notes };
  const expected = row.expectedReduction;
  const pixelRatio = (teacher.height * teacher.width) / (row.height * row.width);
  const small = Math.min(row.height, row.width) < TINY_PX;
  // The same field at mag_s has teacher_side * mag_s / mag_t pixels a side, give or take one pixel of rounding.
  const scale = Math.sqrt(expected);
  const idealH = teacher.height / scale;
  const idealW = teacher.width / scale;
  const sameField = Math.abs(row.height - idealH) <= 1 && Math.abs(row.width - idealW) <= 1;
  if (!sameField) {
    ok = false;
    notes.push(
      `input ${row.height}x${row.width} px is not the teacher's field at ${row.magnification}x (about ${idealH.toFixed(1)}x${idealW.toFixed(1)} px): an upsampled or mis-sized student saves nothing`,
    );
  } else if (Math.abs(row.macsReduction / expected - 1) > TOLERANCE) {
    const why: string[] = [];
    if (Math.abs(pixelRatio / expected - 1) > 0.02) {
      why.push(
        `the field rounds to ${row.height}x${row.width} px, so the input holds ${pixelRatio.toFixed(1)}x fewer pixels, not ${expected}x`,
      );
    }
    if (small)
      why.push(`at ${row.height}x${row.width} px, stride-2 layers round feature maps up (ceil), so deep layers shrink less than the input`);
    if (why.length > 0)
      notes.push(
        `counted MACs fall ${row.macsReduction.toFixed(1)}x, expected ${expected}x: explained by input rounding (${why.join('; ')})`,
      );
    else {
      ok = false;
      notes.push(
        `counted MACs fall only ${row.macsReduction.toFixed(1)}x, expected ${expected}x: the student does not save compute as it should`,
      );
    }
  }
  for (const kind of ['forward', 'train'] as const) {
    const speedup = row[`${kind}Speedup`];
    const latency = row[`${kind}LatencyMs`];
    if (speedup === undefined || speedup === null) continue;
    if (speedup >= MEASURED_FRACTION * Math.min(expected, row.macsReduction)) continue;
    const bound = latency !== undefined && latency < OVERHEAD_MS;
    if (bound || small) {
      const cause = bound
        ? `overhead-bound: ${(latency ?? 0).toFixed(1)} ms per batch`
        : `small input (${row.height}x${row.width} px): per-step fixed costs (optimizer, norms, allocation) and ceil rounding weigh more`;
      notes.push(`measured ${kind} speed-up ${speedup.toFixed(1)}x < expected ${expected}x: ${cause}; counted MACs still fall`);
    } else {
      ok = false;
      notes.push(
        `measured ${kind} speed-up ${speedup.toFixed(1)}x is far below the expected ${expected}x (contended device or a student that saves nothing)`,
      );
    }
  }
  return { ok, notes };
}

export interface CostReport {
  model: string;
  runtime: { device: string; threads: number; bf16: boolean; channelsLast: boolean | 'auto'; batchSize: number; reps: number } | null;
  rows: CostRow[];
}

/** Counts (always) and measures (when `measure`) every size; the first size is the teacher the others compare to. */
export async function costLadder(
  model: ModelChoice,
  points: { magnification: number | null; height: number; width: number }[],
  runtime: RuntimeChoice & { measure: boolean },
  onEvent?: (e: { type: string; [k: string]: unknown }) => void,
): Promise<CostReport> {
  const sizes = points.map((p) => [p.height, p.width]);
  const spec = { model: model.model, classes: model.classes ?? 3 };
  const counted = await runNative('cost.count', { ...spec, sizes }, { onEvent });
  let measured: Measured | null = null;
  const batchSize = runtime.batchSize ?? MEASURE_DEFAULTS.batchSize;
  const reps = runtime.reps ?? MEASURE_DEFAULTS.reps;
  if (runtime.measure) {
    measured = await runNative(
      'cost.measure',
      {
        ...spec,
        sizes,
        batchSize,
        reps,
        device: runtime.device ?? 'cpu',
        threads: runtime.threads ?? 0,
        bf16: !!runtime.bf16,
        ...(runtime.channelsLast !== undefined ? { channelsLast: runtime.channelsLast } : {}),
      },
      { onEvent },
    );
  }
  const teacherMag = points[0]?.magnification ?? null;
  const base = points.map((p, i) => {
    const c = counted.rows[i]!;
    const m = measured?.rows[i];
    const t = counted.rows[0]!;
    const tm = measured?.rows[0];
    const row: Omit<CostRow, 'guard'> = {
      magnification: p.magnification,
      ...c,
      macsReduction: points.length > 1 ? t.macs / c.macs : null,
      expectedReduction: teacherMag !== null && p.magnification !== null ? (teacherMag / p.magnification) ** 2 : null,
      ...(m
        ? {
            ...m,
            forwardSpeedup: tm ? m.forwardImagesPerSecond / tm.forwardImagesPerSecond : null,
            trainSpeedup: tm ? m.trainImagesPerSecond / tm.trainImagesPerSecond : null,
          }
        : {}),
    };
    return row;
  });
  const rows = base.map((r) => ({ ...r, guard: guard(r, base[0]!) }));
  return {
    model: model.model,
    runtime: measured
      ? { device: measured.device, threads: measured.threads, bf16: measured.bf16, channelsLast: measured.channelsLast, batchSize, reps }
      : null,
    rows,
  };
}
