// npm run bench:install-from-source: `npm pack`, drop prebuilds/ from the tarball, `npm install` it into an empty
// project (the install step must build the addon from source), then the README example and `npx resdistill doctor`
// there. Prints the time of each step and writes bench/out/install-from-source.json. Minutes: a full LibTorch build.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { doctorIn, installInto, pack, runExample, withoutPrebuilds } from '../scripts/consumer-project.mjs';
import { root } from '../scripts/layout.mjs';

const dir = path.join(os.tmpdir(), `resdistill-from-source-${process.pid}`);
mkdirSync(dir, { recursive: true });
const packed = pack(dir);
const tarball = withoutPrebuilds(packed.tarball, dir);
const project = path.join(dir, 'consumer');
console.log(`packed in ${packed.seconds.toFixed(1)} s; installing ${tarball} into ${project} (builds from source) ...`);
const install = installInto(project, tarball);
if (!/building from source/.test(install.stdout + install.stderr))
  throw new Error(`the install did not build from source:\n${install.stdout}\n${install.stderr}`);
const slide = path.resolve(root, '..', 'shared', 'data', 'slides', 'CMU-1-Small-Region.svs');
const example = runExample(project, [slide]);
const doctor = doctorIn(project);
if (!doctor.report.addon.loaded) throw new Error(`doctor: the addon does not load: ${doctor.report.addon.error}`);
const result = {
  pack_s: packed.seconds,
  install_from_source_s: install.seconds,
  example_compile_s: example.compileSeconds,
  example_run_s: example.seconds,
  libtorch: doctor.report.libtorch.version,
  openslide: doctor.report.openslide,
  cores: os.availableParallelism(),
  load: os.loadavg()[0],
};
for (const line of `${install.stdout}\n${install.stderr}`.split('\n')) if (line.startsWith('resdistill:')) console.log(line);
process.stdout.write(example.stdout);
console.log(JSON.stringify(result, null, 2));
const out = path.join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'install-from-source.json'), `${JSON.stringify(result, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
