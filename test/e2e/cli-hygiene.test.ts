// Every command fails the same way: a typed one-line error (or { error: { code, message } } under --json), never a
// stack trace; exit 2 for usage errors (unknown flag, bad flag value, missing required flags: all named at once),
// 1 for a command that ran and failed; image outputs are PNG or refused. Needs the built CLI (dist/); the
// commands fail before they load the addon or read any file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram } from '../../src/cli/program.js';
import { cli, runCli, tempDir } from '../support.js';

const program = buildProgram();
const leaves = allCommands(program).filter((c) => c.commands.length === 0);
/** `store info <store>`: the words to type and a placeholder for each argument. */
const argvOf = (c: (typeof leaves)[number]) => [
  ...(c.parent && c.parent !== program ? [c.parent.name()] : []),
  c.name(),
  ...c.registeredArguments.map(() => 'nowhere'),
];

function expectUsage(args: string[], code: 'USAGE' | 'CONFIG_INVALID', message: RegExp) {
  const json = runCli([...args, '--json']);
  expect(json.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
  expect(json.status, args.join(' ')).toBe(2);
  expect(JSON.parse(json.stdout)).toMatchObject({ error: { code, message: expect.stringMatching(message) } });
  const text = runCli(args);
  expect(text.status).toBe(2);
  expect(text.stdout).toBe('');
  // One typed line last (a missing command shows the help above it), never a stack trace.
  expect(text.stderr.trim().split('\n').pop()).toMatch(new RegExp(`^resdistill: ${code}: `));
  expect(text.stderr).not.toMatch(/\n\s+at /);
}

describe('command-line hygiene (needs the built CLI)', () => {
  it.each(leaves.map((c) => [argvOf(c).join(' '), c] as const))(
    'resdistill %s with an unknown flag: USAGE, exit 2, no stack trace',
    (_, c) => {
      expectUsage([...argvOf(c), '--no-such-flag'], 'USAGE', /unknown option '--no-such-flag'/);
    },
  );

  it.each(leaves.filter((c) => c.options.some((o) => o.long === '--threads')).map((c) => [argvOf(c).join(' '), c] as const))(
    'resdistill %s --threads many: CONFIG_INVALID naming the flag, exit 2',
    (_, c) => expectUsage([...argvOf(c), '--threads', 'many'], 'CONFIG_INVALID', /--threads must be an integer/),
  );

  it('--device takes auto | cpu | cuda | cuda:N on every command that has it', () => {
    const withDevice = leaves.filter((c) => c.options.some((o) => o.long === '--device'));
    expect(withDevice.map((c) => c.name()).sort()).toEqual(['cost', 'demo', 'predict', 'run']);
    for (const c of withDevice)
      expectUsage([...argvOf(c), '--device', 'tpu'], 'CONFIG_INVALID', /--device must be auto, cpu, cuda or cuda:N/);
  });

  it.each([
    [['report', 'nowhere', '--margin', 'x'], /--margin/],
    [['synth', 'nowhere', '--seed', '-1'], /--seed/],
    [['store', 'preview', 'nowhere', '--samples', '0'], /--samples/],
    [['extract', 'nowhere.json', '--out', 'nowhere', '--part', '5/2'], /--part/],
    [['slide', 'region', 'nowhere.svs', '--x', 'a', '--y', '0', '--width', '1', '--height', '1', '--out', 'r.png'], /--x/],
    [['bench', 'cost', '--size', '64', '--plot', 'chart.png'], /give a \.svg file name/],
  ])('%j: CONFIG_INVALID naming the flag, exit 2', (args, message) => expectUsage(args as string[], 'CONFIG_INVALID', message as RegExp));

  it.each([
    [['predict', 'nowhere.svs', '--model', 'nowhere', '--method', 'kd++'], /--method .* is invalid/],
    [['store', 'preview', 'nowhere', '--split', 'training'], /--split .* is invalid/],
    [
      ['slide', 'region', 'nowhere.svs', '--x', '0', '--y', '0', '--width', '1', '--height', '1', '--out', 'r.png'],
      /exactly one of --magnification or --target-mpp/,
    ],
    [[], /no command given/],
    [['slide'], /no command given/],
  ])('%j: USAGE, exit 2', (args, message) => expectUsage(args as string[], 'USAGE', message as RegExp));

  it('every missing required option is reported at once', () => {
    expectUsage(['slide', 'region', 'nowhere.svs'], 'USAGE', /missing required options --x, --y, --width, --height, --out/);
  });

  it('--out with another extension than .png is refused before anything runs, and nothing is written', () => {
    const out = path.join(tempDir('rd-jpg-'), 'tissue.jpg');
    expectUsage(['slide', 'tissue', 'nowhere.svs', '--out', out], 'CONFIG_INVALID', /give a \.png file name/);
    expect(existsSync(out)).toBe(false);
  });

  it('a command that runs and fails exits 1 with its typed error', () => {
    const r = runCli(['store', 'info', path.join(tempDir('rd-none-'), 'missing'), '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'STORE_CORRUPT' } });
  });

  it('--help and --version exit 0', () => {
    expect(runCli(['--help']).status).toBe(0);
    expect(runCli(['run', '--help']).status).toBe(0);
    expect(runCli(['--version']).status).toBe(0);
  });
});

describe('a reader that closes the pipe early (needs the built CLI)', () => {
  it('`resdistill --help | true` ends quietly with exit 0, not IO_ERROR: write EPIPE', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" --help | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
