// One vocabulary: every command's --help and the config's JSON Schema use the glossary's words (docs/glossary.md),
// never a retired spelling; every command has --json, --quiet and examples. Pure TS (the addon is not loaded).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram } from '../../src/cli/program.js';
import { experimentJsonSchema } from '../../src/experiment/config.js';
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
];

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
});
