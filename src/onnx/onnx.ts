// `resdistill export --onnx`: a self-describing weights file as a standard ONNX model. The graph is written from the
// architecture the metadata names (layout.ts) with the file's tensors as initializers, encoded with onnx-proto (the
// official onnx.proto compiled for protobufjs). Inputs are dynamic in batch, height and width (the nets are fully
// convolutional). GroupNorm is lowered to Reshape -> InstanceNormalization -> Reshape -> Mul -> Add, as PyTorch's own
// exporter does below opset 18, so runtimes without GroupNormalization load it.
import { writeFileAtomic } from '../util/atomic-file.js';
import onnxProto from 'onnx-proto';
import { ResdistillError } from '../util/errors.js';
import type { RawTensor, WeightsDescription } from '../weights/weights.js';
import { type BlockLayout, netLayout } from './layout.js';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
type IAttribute = onnxProto.onnx.IAttributeProto;

/** Opsets the graph is valid in: every op used (Conv, InstanceNormalization, Reshape, BatchNormalization, Gemm, ...) is stable from 13 on. */
export const OPSETS = { min: 13, max: 17, default: 17 } as const;
/** ONNX IR version 8 (onnx 1.10 to 1.12): what opsets 13 to 17 need, and what every current runtime reads. */
const IR_VERSION = 8;
const EPS = 1e-5; // PyTorch's GroupNorm and BatchNorm default

type Attr = number | number[];

function attribute(name: string, value: Attr): IAttribute {
  const T = onnx.AttributeProto.AttributeType;
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
}

/** Nodes and initializers of one graph, with unique value names. */
class Graph {
  readonly nodes: INode[] = [];
  readonly initializers: ITensor[] = [];
  private count = 0;
  private readonly constants = new Set<string>();

  constructor(private readonly tensors: Map<string, RawTensor>) {}

  /** A tensor of the weights file, optionally seen with another shape (e.g. [C, 1, 1] for broadcasting). */
  weight(name: string, dims?: number[]): string {
    const t = this.tensors.get(name);
    if (!t) throw new ResdistillError('WEIGHTS_INVALID', `the weights have no tensor '${name}' that the architecture needs`);
    const id = dims ? `${name}:${dims.join('x')}` : name;
    if (!this.constants.has(id)) {
      this.constants.add(id);
      this.initializers.push({
        name: id,
        dims: dims ?? t.shape,
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
      });
    }
    return id;
  }

  floats(name: string, values: number[]): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      const data = new Float32Array(values);
      this.initializers.push({
        name,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(data.buffer),
      });
    }
    return name;
  }

  int64s(name: string, values: number[]): string {
    if (!this.constants.has(name)) {
      this.constants.add(name);
      const data = new BigInt64Array(values.map(BigInt));
      this.initializers.push({
        name,
        dims: [values.length],
        dataType: onnx.TensorProto.DataType.INT64,
        rawData: new Uint8Array(data.buffer),
      });
    }
    return name;
  }

  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.count++}`;
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  conv(prefix: string, x: string, stride: number): string {
    const w = this.tensors.get(`${prefix}.weight`);
    const k = w?.shape[2] ?? 1;
    const pad = Math.floor(k / 2);
    return this.op('Conv', [x, this.weight(`${prefix}.weight`)], {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
  }

  /** GroupNorm as InstanceNormalization over [N, G, C/G * H * W], then the per-channel affine. */
  groupNorm(prefix: string, x: string, groups: number): string {
    const c = this.tensors.get(`${prefix}.weight`)?.shape[0] ?? 0;
    const grouped = this.op('Reshape', [x, this.int64s(`groups_${groups}`, [0, groups, -1])]);
    const normed = this.op(
      'InstanceNormalization',
      [grouped, this.floats(`ones_${groups}`, Array(groups).fill(1)), this.floats(`zeros_${groups}`, Array(groups).fill(0))],
      { epsilon: EPS },
    );
    const back = this.op('Reshape', [normed, this.op('Shape', [x])]);
    const scaled = this.op('Mul', [back, this.weight(`${prefix}.weight`, [c, 1, 1])]);
    return this.op('Add', [scaled, this.weight(`${prefix}.bias`, [c, 1, 1])]);
  }

  batchNorm(prefix: string, x: string): string {
    const names = ['weight', 'bias', 'running_mean', 'running_var'].map((n) => this.weight(`${prefix}.${n}`));
    return this.op('BatchNormalization', [x, ...names], { epsilon: EPS });
  }
}

/** The graph of one block (names as in native/core/models). */
function block(g: Graph, b: BlockLayout, x: string, norm: (prefix: string, x: string) => string): string {
  const p = b.prefix;
  let y: string;
  let shortcut = x;
  if (b.kind === 'gn') {
    y = g.op('Relu', [norm(`${p}.n1`, g.conv(`${p}.c1`, x, b.stride))]);
    y = norm(`${p}.n2`, g.conv(`${p}.c2`, y, 1));
    if (b.downsample) shortcut = norm(`${p}.down.1`, g.conv(`${p}.down.0`, x, b.stride));
  } else {
    const first = b.kind === 'bottleneck' ? 1 : b.stride; // torchvision v1.5: the bottleneck strides in its 3x3 conv
    y = g.op('Relu', [norm(`${p}.bn1`, g.conv(`${p}.conv1`, x, first))]);
    y = norm(`${p}.bn2`, g.conv(`${p}.conv2`, y, b.kind === 'bottleneck' ? b.stride : 1));
    if (b.kind === 'bottleneck') y = norm(`${p}.bn3`, g.conv(`${p}.conv3`, g.op('Relu', [y]), 1));
    if (b.downsample) shortcut = norm(`${p}.downsample.1`, g.conv(`${p}.downsample.0`, x, b.stride));
  }
  return g.op('Relu', [g.op('Add', [y, shortcut])]);
}

export interface OnnxExport {
  file: string;
  opset: number;
  bytes: number;
  nodes: number;
  inputs: { name: string; shape: (string | number)[] }[];
  outputs: { name: string; shape: (string | number)[] }[];
  metadata: Record<string, string>;
}

/** Writes the model of `weights` (described by `description`) as ONNX to `file`. */
export function exportOnnx(
  description: WeightsDescription,
  tensors: Map<string, RawTensor>,
  metadata: Record<string, string>,
  file: string,
  opset: number = OPSETS.default,
): OnnxExport {
  if (!Number.isInteger(opset) || opset < OPSETS.min || opset > OPSETS.max) {
    throw new ResdistillError(
      'CONFIG_INVALID',
      `--opset: ${opset} is not supported; use ${OPSETS.min} to ${OPSETS.max} (GroupNorm is lowered to InstanceNormalization there)`,
    );
  }
  const arch = description.architecture;
  const layout = netLayout(arch);
  const g = new Graph(tensors);
  const norm =
    arch.norm === 'group' ? (p: string, x: string) => g.groupNorm(p, x, arch.groups) : (p: string, x: string) => g.batchNorm(p, x);
  let x = g.op('Relu', [norm(layout.stemNorm, g.conv(layout.stemConv, 'input', 2))]);
  x = g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  for (const b of layout.blocks) x = block(g, b, x, norm);
  const features = g.op('Identity', [x], {}, 'featureMap');
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [features])], { axis: 1 });
  g.op('Gemm', [pooled, g.weight('fc.weight'), g.weight('fc.bias')], { transB: 1 }, 'logits');

  const k = description.classes.length;
  const inputs = [{ name: 'input', shape: ['batch', 3, 'height', 'width'] as (string | number)[] }];
  const outputs = [
    { name: 'logits', shape: ['batch', k] as (string | number)[] },
    { name: 'featureMap', shape: ['batch', layout.features, 'featureHeight', 'featureWidth'] as (string | number)[] },
  ];
  const valueInfo = (v: { name: string; shape: (string | number)[] }, doc: string) => ({
    name: v.name,
    docString: doc,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const props = {
    ...metadata,
    onnxInput: 'input: float32 [batch, 3, height, width], preprocessed as `preprocessing` says',
    onnxOutputs: 'logits [batch, classes] in `classes` order; featureMap: the last convolutional stage',
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'resdistill',
    producerVersion: description.version,
    docString: `${description.method} ${arch.name} at ${description.magnification}x (${description.mpp} um/px), classes ${description.classes.join(', ')}. Preprocessing: ${description.preprocessing}.`,
    graph: {
      name: `resdistill_${arch.name}`,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputs[0]!, description.preprocessing)],
      output: [
        valueInfo(outputs[0]!, `logits over ${description.classes.join(', ')}`),
        valueInfo(outputs[1]!, 'feature map before global pooling'),
      ],
    },
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  // Temp file, then rename (removed on failure): an interrupted or failed export leaves no half-written model.
  writeFileAtomic(file, bytes);
  return { file, opset, bytes: bytes.length, nodes: g.nodes.length, inputs, outputs, metadata: props };
}
