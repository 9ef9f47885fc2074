// The command line's one vocabulary: each concept has one flag name, one unit and one parser, shared by every
// command (docs/glossary.md lists them beside the config keys they mirror).
import { Option } from 'commander';
import { parseDevice } from '../native/device.js';
import { makeError } from '../util/errors.js';
import { numberOption, RANGES } from '../util/numbers.js';

function pngPath(file: string): string {
  if (!/\.png$/i.test(file)) throw makeError('CONFIG_INVALID', `--out: resdistill writes PNG images; give a .png file name, got '${file}'`);
  return file;
}

export const flags = {
  json: () => new Option('--json', 'print exactly one JSON object on stdout; a failure prints { "error": { "code", "message" } }'),
  quiet: () => new Option('--quiet', 'no progress output'),
  maxMemory: () =>
    new Option(
      '--max-memory <size>',
      'memory budget for any one request (region, tile grid, decoded image), e.g. 4G; default a share of physical memory (env RESDISTILL_MAX_MEMORY)',
    ),
  device: (what = 'where the models run', fallback = 'auto') =>
    new Option('--device <device>', `${what}: auto | cpu | cuda | cuda:N (default ${fallback})`).argParser((t) => parseDevice(t)),
  threads: () =>
    new Option('--threads <n>', 'LibTorch intra-op threads (default: all usable cores)').argParser(
      numberOption('--threads', RANGES.threads),
    ),
  magnification: (what: string) =>
    new Option('--magnification <x>', `${what} (magnification = 10 / mpp)`).argParser(
      numberOption('--magnification', RANGES.magnification),
    ),
  /** The slide's own scale, for slides whose metadata has none (the config's data.mpp). */
  mpp: () =>
    new Option('--mpp <um>', "the slide's microns per pixel, used only when its metadata has none").argParser(
      numberOption('--mpp', RANGES.mpp),
    ),
  forceMpp: () => new Option('--force-mpp', 'use --mpp even when the slide has mpp metadata'),
  sizeUm: (what: string) => new Option('--size-um <um>', what).argParser(numberOption('--size-um', RANGES.positive)),
  strideUm: (what: string) => new Option('--stride-um <um>', what).argParser(numberOption('--stride-um', RANGES.positive)),
  /** Image outputs are PNG: any other extension (.jpg, ...) is refused rather than written as PNG under a false name. */
  pngOut: (what: string, fallback?: string) => {
    const o = new Option('--out <file.png>', what).argParser(pngPath);
    return fallback === undefined ? o.makeOptionMandatory() : o.default(fallback);
  },
  seed: (what: string) => new Option('--seed <n>', what).argParser(numberOption('--seed', RANGES.seed)),
};
