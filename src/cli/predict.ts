// `resdistill predict <slide> --model <run>`: slide label, tile CSV and heatmap from a trained run, timed
// against the run's teacher on the same tiles.
import { type Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import path from 'node:path';
import { native, nativeVersions } from '../native/addon.js';
import { numberOption, RANGES } from '../util/numbers.js';
import { predictSlide } from '../predict/predict.js';
import { resolveModelRef } from '../predict/model-ref.js';
import { classColour } from '../predict/heatmap.js';
import { printJson, runCommand } from './output.js';
import { concreteDevice, type Device } from '../native/device.js';
import { UNIT_DEFAULTS } from '../config/schema.js';
import { flags } from './flags.js';
import { STUDENT_METHODS } from '../report/results.js';

interface PredictCliOpts {
  model: string;
  out?: string;
  geojson?: string;
  mpp?: number;
  forceMpp?: boolean;
  minTissue?: number;
  sizeUm?: number;
  strideUm?: number;
  teacher: boolean;
  method?: string;
  magnification?: number;
  seed?: number;
  device?: Device;
  threads?: number;
  json?: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
The model is a weights file resdistill trained (best.safetensors or final.safetensors, anywhere: it describes its own
architecture, classes, magnification, field of view and input normalisation), or an experiment of \`resdistill run\`:
its output directory (then --method, --magnification and --seed pick the run; default the KD student at the lowest
magnification) or a run folder <out>/runs/<name>. When the experiment is beside the model, the teacher of the same
seed is timed on the same tiles unless --no-teacher.

Examples:
  $ resdistill predict slide.svs --model runs/demo --out pred/
  $ resdistill predict slide.svs --model runs/demo --method baseline --magnification 2.5
  $ resdistill predict slide.svs --model runs/demo/runs/kd-2.5x-seed0-3f9c0a1b --out pred/
  $ resdistill predict scan.tif --model runs/luad/runs/kd-5x-seed0-<hash>/best.safetensors --mpp 0.25 --json
  $ resdistill predict slide.svs --model student.safetensors --out pred/
  $ resdistill predict slide.svs --model student.safetensors --out pred/ --geojson qupath/slide.geojson
  $ resdistill view pred/                  # the slide and the predictions in the browser`;

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify the tissue of a slide with a trained student: slide label, tile CSV, heatmap PNG, time vs the teacher')
    .argument('<slide>', 'whole-slide image (anything OpenSlide reads)')
    .requiredOption(
      '--model <run>',
      'a weights file (best.safetensors, used alone), an experiment output directory, or a training run in it (<out>/runs/<name>)',
    )
    .addOption(
      new Option('--method <method>', 'with an experiment directory: which method (default kd)').choices(['teacher', ...STUDENT_METHODS]),
    )
    .addOption(flags.magnification('with an experiment directory: which magnification (default: the lowest student one)'))
    .addOption(flags.seed('with an experiment directory: which seed (default: the first)'))
    .option('--out <dir>', 'output folder (default: <slide name>-prediction)')
    .option('--geojson <file>', 'the tiles as GeoJSON for QuPath (File > Import objects), default <out>/tiles.geojson')
    .addOption(flags.mpp())
    .addOption(flags.forceMpp())
    .option(
      '--min-tissue <f>',
      `minimum tissue fraction of a tile (default ${UNIT_DEFAULTS.minTissue}, as the config's data.unit.minTissue)`,
      numberOption('--min-tissue', RANGES.fraction),
    )
    .addOption(flags.sizeUm("tile side in microns, the field of view (default: the model's, from its training)"))
    .addOption(flags.strideUm('step between tiles in microns (default: the tile side; smaller overlaps tiles for a finer heatmap)'))
    .option('--no-teacher', 'skip the teacher timing')
    .addOption(flags.device())
    .addOption(flags.threads())
    .addOption(flags.json())
    .addOption(flags.quiet())
    .addHelpText('after', EXAMPLES)
    .action(async (slide: string, o: PredictCliOpts) =>
      runCommand(Boolean(o.json), async () => {
        const binding = native();
        const v = nativeVersions();
        binding.setThreads(Math.round(o.threads ?? v.usableCores));
        const ref = await resolveModelRef(o.model, { method: o.method, magnification: o.magnification, seed: o.seed });
        const out = o.out ?? `${path.basename(slide, path.extname(slide))}-prediction`;
        const show = !o.json && !o.quiet;
        const bar = show
          ? new cliProgress.SingleBar({
              format: 'predict {stage} |{bar}| {value}/{total} tiles | ETA {eta_formatted}',
              hideCursor: true,
              etaBuffer: 20,
            })
          : null;
        let stage = '';
        const result = await predictSlide(slide, ref, {
          out,
          geojson: o.geojson,
          mpp: o.mpp,
          forceMpp: o.forceMpp,
          minTissue: o.minTissue,
          sizeUm: o.sizeUm,
          strideUm: o.strideUm,
          teacher: o.teacher,
          device: concreteDevice(o.device ?? 'auto', v.libtorch.cuda.available),
          onEvent: (s, e) => {
            if (!bar || e.type !== 'progress' || typeof e.total !== 'number') return;
            if (s !== stage) {
              if (stage) bar.stop();
              stage = s;
              bar.start(e.total, 0, { stage: s });
            }
            bar.update(Number(e.done), { stage: s });
          },
        });
        bar?.stop();
        if (o.json) {
          printJson(result);
          return;
        }
        if (o.quiet) return;
        const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
        const lines = [
          ...(result.synthetic ? [`${result.warning}`] : []),
          ...(result.tiling.note ? [`note: ${result.tiling.note}`] : []),
          `${result.slide}: ${result.tiles} tissue tiles of ${result.sizeUm.toFixed(0)} um, ${result.model.label} at ${result.model.magnification}x`,
          `slide label (mean probability): ${result.meanProbability.label}  ${Object.entries(result.meanProbability.probabilities)
            .map(([c, p]) => `${c} ${pct(p)}`)
            .join(', ')}`,
          `slide label (majority of tiles): ${result.majority.label}  ${Object.entries(result.majority.votes)
            .map(([c, v]) => `${c} ${v}`)
            .join(', ')}`,
          `student: ${result.student.seconds.toFixed(2)} s (${result.student.imagesPerSecond.toFixed(1)} tiles/s; model ${result.student.modelSeconds.toFixed(2)} s, waiting for tiles ${result.student.waitSeconds.toFixed(2)} s; reading ${result.student.readSeconds.toFixed(2)} thread-s alongside)`,
        ];
        if (result.teacher) {
          lines.push(
            `teacher: ${result.teacher.seconds.toFixed(2)} s at ${result.teacher.magnification}x (${result.teacher.label}); student is ${result.speedup!.toFixed(1)}x faster, agrees on ${pct(result.agreement!)} of tiles`,
          );
        }
        lines.push(`heatmap colours: ${result.classes.map((c, i) => `${c} rgb(${classColour(i).join(',')})`).join(', ')}`);
        lines.push(`wrote ${Object.values(result.files).join(', ')}`);
        lines.push(`look at it: resdistill view ${out}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
