// The layers of a zoo architecture in order, with the state-dict prefixes LibTorch and PyTorch give them
// (native/core/models/gn_resnet.cc and resnet.cc): what the ONNX graph is built from.
import type { Architecture } from '../weights/weights.js';

/** One residual block: its prefix (e.g. `body.2`, `layer3.0`), channels in and out, stride, and naming scheme. */
export interface BlockLayout {
  prefix: string;
  cin: number;
  cout: number;
  stride: number;
  /** gn: c1/n1/c2/n2/down.0/down.1 (the paper net); basic and bottleneck: torchvision's conv1/bn1/.../downsample. */
  kind: 'gn' | 'basic' | 'bottleneck';
  /** Bottleneck inner width (torchvision's `planes`). */
  planes: number;
  downsample: boolean;
}

export interface NetLayout {
  /** The stem's conv and norm names (`stem.0`/`stem.1` or `conv1`/`bn1`) and its width. */
  stemConv: string;
  stemNorm: string;
  stemWidth: number;
  blocks: BlockLayout[];
  /** Channels of the last feature map (the fc's input). */
  features: number;
}

const TORCHVISION: Record<string, { blocks: number[]; bottleneck: boolean }> = {
  resnet18: { blocks: [2, 2, 2, 2], bottleneck: false },
  resnet34: { blocks: [3, 4, 6, 3], bottleneck: false },
  resnet50: { blocks: [3, 4, 6, 3], bottleneck: true },
};

/** The paper's GN ResNet (the authors' model/resnet_with_groupnorm.py; our state-dict names): blocks of all stages in one flat `body`, stride 2 at the first block of stages after the first. */
function gnLayout(a: Architecture): NetLayout {
  const widths = a.widths ?? [32, 64, 128, 256];
  const perStage = a.blocks ?? widths.map(() => 1);
  const blocks: BlockLayout[] = [];
  let cin = widths[0]!;
  widths.forEach((w, s) => {
    for (let b = 0; b < perStage[s]!; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      blocks.push({ prefix: `body.${blocks.length}`, cin, cout: w, stride, kind: 'gn', planes: w, downsample: stride !== 1 || cin !== w });
      cin = w;
    }
  });
  return { stemConv: 'stem.0', stemNorm: 'stem.1', stemWidth: widths[0]!, blocks, features: cin };
}

function torchvisionLayout(a: Architecture): NetLayout {
  const spec = TORCHVISION[a.name]!;
  const expansion = spec.bottleneck ? 4 : 1;
  const blocks: BlockLayout[] = [];
  let inplanes = 64;
  spec.blocks.forEach((n, s) => {
    const planes = 64 << s;
    for (let b = 0; b < n; b++) {
      const stride = s > 0 && b === 0 ? 2 : 1;
      const cout = planes * expansion;
      blocks.push({
        prefix: `layer${s + 1}.${b}`,
        cin: inplanes,
        cout,
        stride,
        kind: spec.bottleneck ? 'bottleneck' : 'basic',
        planes,
        downsample: stride !== 1 || inplanes !== cout,
      });
      inplanes = cout;
    }
  });
  return { stemConv: 'conv1', stemNorm: 'bn1', stemWidth: 64, blocks, features: inplanes };
}

export function netLayout(a: Architecture): NetLayout {
  return a.name === 'gn_resnet' ? gnLayout(a) : torchvisionLayout(a);
}
