// Every command block of README.md runs as written, in a new folder beside the real data (../shared/data, linked
// in as ../shared), in README order: the configs of "Your own data in three steps" are written under the names the
// README gives them, with one documented size override (teacher and student epochs 1, 200 bootstrap resamples), then
// run, report, predict on the CMU slide, export, the lone weights file and the Python loader; then the library's
// predict(), exportOnnx() and readResults(<out>) on the same run. The long or
// self-referring lines (`npm run demo`, `npm test`, the install lines) are not run; their npm scripts must exist and
// every `resdistill` command and flag in them, or in any README line, must exist in the CLI.
// Needs the addon, the built CLI (dist/) and real data; the Python lines need /usr/bin/python3 with torch and numpy,
// and the ONNX Runtime line Python's onnxruntime (each skipped, saying so, without).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { exportOnnx, predict, readResults } from '../../src/index.js';
import { loadExperiment } from '../../src/config/load.js';
import { planExperiment } from '../../src/experiment/plan.js';
import { cmuSlide, dataDir, hasData, pythonHas, repoRoot, tempDir } from '../support.js';

interface Block {
  lang: string;
  body: string;
  /** The prose since the previous block: where a config's file name is given. */
  lead: string;
}

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

function blocks(): Block[] {
  const out: Block[] = [];
  let last = 0;
  for (const m of readme.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    out.push({ lang: m[1]!, body: m[2]!, lead: readme.slice(last, m.index) });
    last = m.index! + m[0].length;
  }
  return out;
}

/** A block's commands: continuation lines and multi-line quoted strings joined, comments after a command dropped. */
export function commandsOf(body: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of body.split('\n')) {
    current = current ? `${current}\n${line}` : line;
    const quotes = (current.match(/(?<!\\)"/g) ?? []).length;
    if (quotes % 2 === 1 || current.endsWith('\\')) continue;
    const command = current.includes('"') ? current.trim() : current.replace(/\s+#.*$/, '').trim();
    if (command && !command.startsWith('#')) out.push(command);
    current = '';
  }
  return out;
}

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Lines the test does not run, and why. */
const NOT_RUN: [RegExp, string][] = [
  [/^npm test$/, 'the test suite itself'],
  [/^npm run demo(:real)?$/, 'minutes (demo) to an hour and a half (demo:real); their commands and flags are checked'],
  [/^npm run prebuild && npm pack$|^npm install /, 'the packed install is test/e2e/pack-install.test.ts; the git URL needs the network'],
  [/^npx resdistill setup$/, 'builds the addon from source in an installed package'],
];

/** The words of `resdistill ...` (or `npx resdistill`, `node bin/resdistill.js`) in a command line, else null. */
function resdistillArgs(command: string): string[] | null {
  const m = /(?:^|&&\s*|\s)(?:npx resdistill|resdistill|node bin\/resdistill\.js)\s+([^&|;]*)/.exec(command);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : null;
}

const program = buildProgram();

/** Every flag of a `resdistill` command line exists on its command (unknown commands or flags are named). */
function unknownParts(args: string[]): string[] {
  let command: Command = program;
  const words = [...args];
  while (words.length && !words[0]!.startsWith('-')) {
    const sub = command.commands.find((c) => c.name() === words[0]);
    if (!sub) break;
    command = sub;
    words.shift();
  }
  if (command === program) return [`no command '${args[0]}'`];
  const known = new Set(
    [...command.options, ...program.options].flatMap((o) => [o.long, o.short, o.negate ? o.long : undefined]).filter(Boolean) as string[],
  );
  known.add('--help');
  return words
    .filter((w) => w.startsWith('-'))
    .map((w) => w.split('=')[0]!)
    .filter((w) => !known.has(w))
    .map((w) => `${command.name()}: no flag ${w}`);
}

/** The size override of the README's configs: a run of minutes, not hours. */
function smaller(json: string): string {
  const c = JSON.parse(json) as Record<string, Record<string, unknown>>;
  return JSON.stringify(
    { ...c, teacher: { ...c.teacher, epochs: 1 }, student: { ...c.student, epochs: 1 }, evaluation: { ...c.evaluation, bootstrap: 200 } },
    null,
    2,
  );
}

describe('the README (the CLI parts need no addon)', () => {
  const all = blocks();
  const commands = all.filter((b) => b.lang === 'sh').flatMap((b) => commandsOf(b.body));

  it('has command blocks, and every `resdistill` command and flag they name exists', () => {
    expect(commands.length).toBeGreaterThan(8);
    const problems = commands.flatMap((c) => {
      const args = resdistillArgs(c);
      return args ? unknownParts(args).map((p) => `${c.split('\n')[0]}: ${p}`) : [];
    });
    expect(problems).toEqual([]);
  });

  it('every npm script it names exists, and the resdistill commands inside them parse', () => {
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named).toContain('demo');
    for (const name of [...new Set(named), 'test']) {
      const script = pkg.scripts[name];
      expect(script, `npm run ${name}`).toBeTypeOf('string');
      for (const part of script!.split('&&')) {
        const args = resdistillArgs(part.trim());
        if (args) expect(unknownParts(args), part).toEqual([]);
      }
    }
  });
});

describe.skipIf(!hasData)(
  'every command block of the README, run as written on the shipped data (needs the addon and real data; minutes)',
  () => {
    // The README's paths say ../shared/data: the project gets a sibling `shared` of its own, linked to the data.
    const root = tempDir('resdistill-readme-');
    const project = path.join(root, 'project');
    const results: { command: string; status: number | null; stdout: string; stderr: string }[] = [];

    /** Runs one README command in the project folder; npx finds the clone's CLI in node_modules/.bin. */
    function sh(command: string) {
      const r = spawnSync('bash', ['-c', command], {
        cwd: project,
        encoding: 'utf8',
        timeout: 900_000,
        // Debian's python3 first: the one pythonHas() checks for torch and numpy.
        env: { ...process.env, PATH: `${path.join(project, 'node_modules', '.bin')}:/usr/bin:${process.env.PATH}` },
      });
      const result = { command, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
      results.push(result);
      return result;
    }

    it('sets up the project: ../shared/data linked, the clone as node_modules/resdistill, the configs written under their README names', () => {
      mkdirSync(path.join(project, 'node_modules', '.bin'), { recursive: true });
      symlinkSync(repoRoot, path.join(project, 'node_modules', 'resdistill'));
      symlinkSync(path.join(repoRoot, 'bin', 'resdistill.js'), path.join(project, 'node_modules', '.bin', 'resdistill'));
      mkdirSync(path.join(root, 'shared'));
      symlinkSync(dataDir, path.join(root, 'shared', 'data'));
      const written: string[] = [];
      for (const b of blocks().filter((x) => x.lang === 'json' || x.lang === 'csv')) {
        const names = [...b.lead.matchAll(new RegExp(`\`([\\w.-]+\\.${b.lang})\``, 'g'))].map((m) => m[1]!);
        const name = names[names.length - 1];
        expect(name, `the ${b.lang} block after: ${b.lead.slice(-120)}`).toBeDefined();
        writeFileSync(path.join(project, name!), b.lang === 'json' ? smaller(b.body) : b.body);
        written.push(name!);
      }
      expect(written).toEqual(['my-slides.csv', 'my-slides.json', 'my-patches.json']);
    });

    it('the slides example loads and plans: its CSV, with the CMU slide standing in for each listed slide', () => {
      const csv = readFileSync(path.join(project, 'my-slides.csv'), 'utf8').trim().split('\n').slice(1);
      mkdirSync(path.join(project, 'slides'));
      for (const row of csv) symlinkSync(cmuSlide, path.join(project, row.split(',')[0]!));
      const config = loadExperiment(path.join(project, 'my-slides.json'));
      const plan = planExperiment(config, { outDir: path.join(project, 'runs', 'my-slides'), device: 'cpu' });
      expect(plan.runs.filter((r) => r.kind === 'train').map((r) => `${r.method} ${r.magnification}x`)).toEqual(
        expect.arrayContaining(['teacher 10x', 'baseline 5x', 'kd 5x', 'baseline 2.5x', 'kd 2.5x']),
      );
    });

    it('runs every command of every sh block in order, each exiting 0 (minutes: real extraction and training)', () => {
      const python = pythonHas('torch', 'numpy');
      const onnxruntime = pythonHas('onnxruntime', 'numpy');
      const skipped: string[] = [];
      for (const b of blocks().filter((x) => x.lang === 'sh')) {
        for (const command of commandsOf(b.body)) {
          const why =
            NOT_RUN.find(([re]) => re.test(command))?.[1] ??
            (command.startsWith('python3') && !python ? 'no /usr/bin/python3 with torch and numpy' : undefined) ??
            (/onnxruntime/.test(command) && !onnxruntime
              ? 'no Python onnxruntime (the ONNX model is checked in onnxruntime-node by test/native/weights.test.ts)'
              : undefined);
          if (why) {
            skipped.push(`${command.split('\n')[0]} (${why})`);
            continue;
          }
          // The README's `python3` is Debian's here, the interpreter pythonHas() found torch in (not a pyenv shim).
          const r = sh(command.replace(/^python3 /, '/usr/bin/python3 '));
          expect(r.status, `${command}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`).toBe(0);
        }
      }
      console.log(`README commands not run:\n  ${skipped.join('\n  ')}`);
      expect(results.map((r) => r.command.split(' ').slice(0, 3).join(' '))).toEqual(
        expect.arrayContaining(['npx resdistill run', 'npx resdistill predict', 'npx resdistill export']),
      );
      expect(existsSync(path.join(project, 'runs', 'my-patches', 'report.html'))).toBe(true);
      expect(existsSync(path.join(project, 'student.onnx'))).toBe(true);
      // predict on the small CMU region with the lymphoma model: the small-slide tiling, said in one line.
      const predict = results.find((r) => r.command.includes('predict') && r.command.includes('--model runs/my-patches'))!;
      expect(predict, 'the README predicts with runs/my-patches').toBeDefined();
      expect(predict.stdout).toMatch(/note: no tile of \d+ um .* used overlapping tiles/);
      const prediction = JSON.parse(readFileSync(path.join(project, 'cmu-prediction', 'prediction.json'), 'utf8'));
      expect(prediction.tiles).toBeGreaterThan(0);
      expect(prediction.tiling.minTissue).toBe(0.25);
    }, 3_000_000);

    it("the library's predict(), exportOnnx() and readResults(<out>) do what the commands did, from the package's main entry", async () => {
      const out = path.join(project, 'runs', 'my-patches');
      const results = readResults(out);
      expect(results.runs.map((r) => r.method)).toEqual(expect.arrayContaining(['teacher', 'baseline', 'kd']));
      const p = await predict(path.join(root, 'shared', 'data', 'slides', 'CMU-1-Small-Region.svs'), {
        model: out,
        out: path.join(project, 'api-prediction'),
        teacher: false,
      });
      const cli = JSON.parse(readFileSync(path.join(project, 'cmu-prediction', 'prediction.json'), 'utf8'));
      expect(p.tiles).toBe(cli.tiles);
      expect(p.meanProbability.probabilities).toEqual(cli.meanProbability.probabilities);
      const onnx = await exportOnnx(out, path.join(project, 'api.onnx'));
      expect(onnx.bytes).toBe(readFileSync(path.join(project, 'student.onnx')).length);
      await expect(predict(cmuSlide, { model: out, method: 'kd+init' })).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/has no kd\+init run; its runs: teacher 6\.25x \(seed 0\)/),
      });
    });
  },
);
