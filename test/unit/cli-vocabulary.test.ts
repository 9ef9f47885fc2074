// One vocabulary: every command's --help and flags, the config's JSON Schema, every JSON key the native core reads or
// writes, the typed job catalogue, the results.json schema and the CSV headers use the glossary's words
// (docs/glossary.md), never a retired spelling; every command has --json, --quiet and examples. Pure TS (the addon
// is not loaded; the core's keys are read from its source).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram } from '../../src/cli/program.js';
import { experimentJsonSchema } from '../../src/config/schema.js';
import { ResultsSchema } from '../../src/report/results-schema.js';
import { resultsCsv } from '../../src/report/tables.js';
import { tilesCsvHeader } from '../../src/predict/predict.js';
import type { Results } from '../../src/report/results.js';
import { repoRoot } from '../support.js';

/** The glossary's "Retired spellings", each as a pattern that matches the old word and not its successor. */
const RETIRED: [string, RegExp][] = [
  ['--mag', /--mag(?![a-z-])/],
  ['--tile-um', /--tile-um/],
  ['--field-um', /--field-um/],
  ['--teacher-mag', /--teacher-mag(?!nification)/],
  ['--mags', /--mags\b/],
  ['tileUm', /\btileUm\b/],
  ['fieldUm', /\bfieldUm\b/],
  ['channels_last', /channels_last/],
  ['pixel_loss', /pixel_loss/],
  ['w_kd', /\bw_kd\b/],
  ['w_px', /\bw_px\b/],
  ['w_ce', /\bw_ce\b/],
  ['hflip', /\bhflip\b/],
  ['vflip', /\bvflip\b/],
  ['unlabeled_fraction', /unlabeled_fraction/],
  ['images_per_second', /images_per_second/],
  ['--tolerance', /--tolerance/],
  ['evaluation.tolerance', /"tolerance"/],
  ['--batch', /--batch(?![a-z-])/],
  ['outDir', /\boutDir\b/],
  ['forwardImgPerS', /\bforwardImgPerS\b/],
  ['trainImgPerS', /\btrainImgPerS\b/],
  ['supervisedImgPerS', /\bsupervisedImgPerS\b/],
  ['distillImgPerS', /\bdistillImgPerS\b/],
  ['tilesPerSecond', /\btilesPerSecond\b/],
];

/** Keys retired from the wire (job specs and results, JSON outputs, CSV headers); each has one successor. */
const RETIRED_KEYS = new Set([
  'outDir',
  'batch',
  'forwardImgPerS',
  'trainImgPerS',
  'supervisedImgPerS',
  'distillImgPerS',
  'tilesPerSecond',
  'tileUm',
  'fieldUm',
  'tolerance',
  'images_per_second',
  'unlabeled_fraction',
  'channels_last',
  'pixel_loss',
  'w_kd',
  'w_px',
  'w_ce',
  'hflip',
  'vflip',
]);
const camelCase = /^[a-z][a-zA-Z0-9]*$/;
/** Names the core reads that belong to other formats (safetensors, TIFF tags, LibTorch ops) or are values, not keys. */
const FOREIGN = /^(aten::|tiff\.|__metadata__$|data_offsets$|[A-Z0-9]+$|gn_resnet$)|\s/;

/** Every JSON key native/core and native/addon read (spec::get/require/optional, at, contains, value) or write. */
function nativeKeys(): Map<string, string> {
  const keys = new Map<string, string>();
  const patterns = [
    /spec::(?:get|require|optional)<[^>]*>\(\s*\w+(?:\[[^\]]*\])?,\s*"([^"]+)"/g,
    /\{\s*"([^"]+)",/g,
    /\w\["([^"]+)"\]/g,
    /\.(?:contains|at|value|erase)\("([^"]+)"/g,
  ];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (/\.(cc|h)$/.test(name)) {
        const text = readFileSync(file, 'utf8');
        for (const p of patterns) for (const m of text.matchAll(p)) if (!keys.has(m[1]!)) keys.set(m[1]!, path.relative(repoRoot, file));
      }
    }
  };
  walk(path.join(repoRoot, 'native', 'core'));
  walk(path.join(repoRoot, 'native', 'addon'));
  return keys;
}

/** Field names of the typed job catalogue (specs and results), as declared in src/native/. */
function catalogueFields(): Map<string, string> {
  const fields = new Map<string, string>();
  for (const name of ['jobs.ts', 'job-types.ts', 'job-step.ts', 'slide-types.ts']) {
    const text = readFileSync(path.join(repoRoot, 'src', 'native', name), 'utf8');
    for (const m of text.matchAll(/^\s+(?:readonly\s+)?(\w+)\??:/gm)) fields.set(m[1]!, name);
    for (const m of text.matchAll(/[{,;]\s*(\w+)\??:\s/g)) fields.set(m[1]!, name);
  }
  return fields;
}

/** Every property name a JSON Schema declares, at any depth. */
function schemaKeys(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => schemaKeys(n, into));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') for (const k of Object.keys(o.properties)) into.add(k);
    Object.values(o).forEach((v) => schemaKeys(v, into));
  }
  return into;
}

function offWire(keys: Iterable<[string, string]>): string[] {
  return [...keys].filter(([k]) => !FOREIGN.test(k) && (RETIRED_KEYS.has(k) || !camelCase.test(k))).map(([k, where]) => `${k} (${where})`);
}

const program = buildProgram();
const leaves = allCommands(program).filter((c) => c.commands.length === 0);
const name = (c: (typeof leaves)[number]) => (c.parent && c.parent !== program ? `${c.parent.name()} ${c.name()}` : c.name());
/** The full --help text, the "after" examples included (commander prints them through the help event). */
function helpOf(c: (typeof leaves)[number]): string {
  let text = '';
  c.configureOutput({ writeOut: (s) => (text += s) });
  c.outputHelp();
  return text;
}

describe('the command line speaks one vocabulary (pure TS)', () => {
  it('the glossary lists every retired spelling this test checks', () => {
    const glossary = readFileSync(path.join(repoRoot, 'docs', 'glossary.md'), 'utf8');
    const listed = glossary.slice(glossary.indexOf('## Retired spellings'));
    for (const [word] of RETIRED) expect(listed, word).toContain(`\`${word}\``);
  });

  it.each(leaves.map((c) => [name(c), c] as const))('resdistill %s: no retired spelling; --json, --quiet and examples', (_, command) => {
    const help = helpOf(command);
    for (const [word, pattern] of RETIRED) expect(pattern.test(help), `${word} in:\n${help}`).toBe(false);
    const flags = command.options.map((o) => o.long);
    expect(flags).toContain('--json');
    expect(flags).toContain('--quiet');
    expect(help).toMatch(/Examples?:\n/);
  });

  it('every required option says so in its help', () => {
    for (const c of leaves) {
      for (const o of c.options) if (/\(required/.test(o.description)) expect(o.mandatory, `${name(c)} ${o.long}`).toBe(false);
    }
    const out = leaves.find((c) => c.name() === 'run')!.options.find((o) => o.long === '--out')!;
    expect(out.description).toMatch(/\(required\)$/);
    expect(helpOf(leaves.find((c) => c.name() === 'run')!).replace(/\s+/g, ' ')).toContain('(required)');
  });

  it('the JSON Schema of experiment configs has no retired spelling', () => {
    const schema = JSON.stringify(experimentJsonSchema());
    for (const [word, pattern] of RETIRED) expect(pattern.test(schema), word).toBe(false);
  });

  it('every command flag is kebab-case', () => {
    for (const c of leaves) for (const o of c.options) expect(o.long, name(c)).toMatch(/^--[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('every JSON key the native core reads or writes is camelCase and not retired', () => {
    const keys = nativeKeys();
    expect(keys.size).toBeGreaterThan(200); // the scan found the core's keys (a broken pattern would find few)
    expect(keys.has('batchSize') && keys.has('imagesPerSecond') && keys.has('out')).toBe(true);
    expect(offWire(keys)).toEqual([]);
  });

  it('the typed job catalogue (specs and results) uses the same words', () => {
    const fields = catalogueFields();
    expect(fields.has('batchSize')).toBe(true);
    expect(offWire(fields)).toEqual([]);
  });

  it('results.json and results.csv use the same words', () => {
    const keys = schemaKeys(z.toJSONSchema(ResultsSchema, { unrepresentable: 'any' }));
    expect(keys.has('imagesPerSecond')).toBe(true);
    expect(offWire([...keys].map((k) => [k, 'results.json'] as [string, string]))).toEqual([]);
    const fixture = JSON.parse(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'report', 'results.json'), 'utf8')) as Results;
    const header = resultsCsv(fixture).split('\n')[0]!.split(',');
    expect(header).toContain('imagesPerSecond');
    expect(offWire(header.map((k) => [k, 'results.csv'] as [string, string]))).toEqual([]);
  });

  it("predict's tiles.csv: camelCase columns, then one p_<class> per class", () => {
    const header = tilesCsvHeader(['tumour', 'normal']);
    expect(header.slice(-2)).toEqual(['p_tumour', 'p_normal']);
    expect(offWire(header.slice(0, -2).map((k) => [k, 'tiles.csv'] as [string, string]))).toEqual([]);
  });
});
