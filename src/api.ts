// The library's one-call versions of `resdistill predict` and `resdistill export`, with the CLI's defaults.
import path from 'node:path';
import { concreteDevice, type Device } from './native/device.js';
import { exportWeightsToOnnx } from './onnx/export.js';
import type { OnnxExport } from './onnx/onnx.js';
import { nativeVersions } from './native/addon.js';
import { predictSlide, type PredictOptions, type SlidePrediction } from './predict/predict.js';
import { resolveModelRef, type RunChoice } from './predict/model-ref.js';

export interface PredictCall extends RunChoice, Omit<PredictOptions, 'out' | 'device'> {
  /** A weights file, an experiment output directory, or a training run in it (as `--model`). */
  model: string;
  /** Output folder (default: `<slide name>-prediction`, as the CLI). */
  out?: string;
  device?: Device;
}

/** `resdistill predict <slide> --model <model>`: slide label, tile CSV and heatmap, written to `out`. */
export async function predict(slide: string, o: PredictCall): Promise<SlidePrediction> {
  const { model, method, magnification, seed, out, device, ...rest } = o;
  const ref = await resolveModelRef(model, { method, magnification, seed });
  return predictSlide(slide, ref, {
    ...rest,
    out: out ?? `${path.basename(slide, path.extname(slide))}-prediction`,
    device: concreteDevice(device ?? 'auto', nativeVersions().libtorch.cuda.available),
  });
}

/** `resdistill export <weights> --onnx <file>`: a weights file or training run directory as ONNX. */
export async function exportOnnx(weights: string, file: string, o: { opset?: number } = {}): Promise<OnnxExport & { weights: string }> {
  return exportWeightsToOnnx(weights, file, o.opset);
}
