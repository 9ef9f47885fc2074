// Which weights file a run directory or a path names, and its ONNX export (checked natively first).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ResdistillError } from '../util/errors.js';
import { resolveModel } from '../predict/model-ref.js';
import { describeWeights, readSafetensors } from '../weights/weights.js';
import { exportOnnx, type OnnxExport } from './onnx.js';

/** A weights file, a training run's directory (its best.safetensors), or an experiment's --out (predict's default run). */
export function weightsFileOf(target: string): string {
  if (!existsSync(target)) throw new ResdistillError('CONFIG_INVALID', `${target} does not exist`);
  if (!statSync(target).isDirectory()) return target;
  if (existsSync(path.join(target, 'plan.json'))) return resolveModel(target).checkpoint;
  const best = path.join(target, 'best.safetensors');
  if (!existsSync(best))
    throw new ResdistillError(
      'CONFIG_INVALID',
      `${target} holds no best.safetensors: give a training run's directory (<out>/runs/<key>) or a weights file`,
    );
  return best;
}

/** Checks the weights' own description (WEIGHTS_INVALID when it is missing or disagrees with the tensors), then writes ONNX. */
export async function exportWeightsToOnnx(target: string, file: string, opset?: number): Promise<OnnxExport & { weights: string }> {
  const weights = weightsFileOf(target);
  const description = await describeWeights(weights);
  const { metadata, tensors } = readSafetensors(weights);
  return { weights, ...exportOnnx(description, tensors, metadata, file, opset) };
}
