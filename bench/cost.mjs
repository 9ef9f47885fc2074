// npm run bench:cost: the paper's ladder 10x -> 0.625x over one field of view, counted and measured, with a plot.
// Extra arguments pass through to `resdistill bench cost` (e.g. --device cuda --bf16 --channels-last, --size-um 1792).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const args = [
  'bench',
  'cost',
  '--teacher-magnification',
  '10',
  '--student-magnifications',
  '5,2.5,1.25,0.625',
  '--size-um',
  '896',
  '--plot',
  path.join(out, 'cost-ladder.svg'),
];
const r = spawnSync(process.execPath, [path.join(root, 'bin', 'resdistill.js'), ...args, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
