// What a new user does with the package, step by step: `npm pack`, `npm install <tarball>` into an empty project,
// the README's typed example compiled and run there, `npx resdistill doctor --json`. Shared by
// test/e2e/pack-install.test.ts and bench/install-from-source.mjs; not shipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './layout.mjs';

/** The environment without what an enclosing `npm test` sets for its own project, so nested npm commands see only theirs. */
function cleanEnv(extra) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_config_build_from_source$|INIT_CWD$)/.test(k),
    ),
  );
  return { ...env, ...extra };
}

/** Runs a command; returns its status, output and seconds taken. Never throws. */
export function sh(cmd, args, { cwd, env, timeout = 1_800_000 } = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', seconds: (Date.now() - started) / 1000, error: r.error };
}

function must(step, r) {
  if (r.status !== 0)
    throw new Error(`${step} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** `npm pack` of the repository into `dest`; returns the tarball's path and the packed file names. */
export function pack(dest) {
  const r = must('npm pack', sh('npm', ['pack', '--json', '--pack-destination', dest], { cwd: root }));
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path), size: info.size, seconds: r.seconds };
}

/** The same tarball without prebuilds/: what a platform with no fitting prebuild gets. */
export function withoutPrebuilds(tarball, dest) {
  const unpacked = path.join(dest, 'unpacked');
  mkdirSync(unpacked, { recursive: true });
  must('tar x', sh('tar', ['-xzf', tarball, '-C', unpacked]));
  rmSync(path.join(unpacked, 'package', 'prebuilds'), { recursive: true, force: true });
  const out = path.join(dest, path.basename(tarball).replace(/\.tgz$/, '-no-prebuilds.tgz'));
  must('tar c', sh('tar', ['-czf', out, '-C', unpacked, 'package']));
  return out;
}

/**
 * An empty ESM project in `dir` with `tarball` installed from the npm cache (offline when the cache has everything).
 * npm 11 runs a dependency's install step only when the project's allowScripts approves it, as
 * `npm install-scripts approve resdistill` would; `approve: false` leaves npm's default, which skips it.
 */
export function installInto(dir, tarball, { approve = true, env = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  const allowScripts = approve ? { resdistill: true, [`file:${tarball}`]: true } : undefined;
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module', allowScripts }, null, 2)}\n`,
  );
  const args = ['install', tarball, '--no-audit', '--no-fund', '--foreground-scripts'];
  let r = sh('npm', [...args, '--offline'], { cwd: dir, env });
  // --offline needs every package's metadata cached; a clean CI cache holds only the lockfile's tarballs.
  if (r.status !== 0 && /ENOTCACHED/.test(r.stdout + r.stderr)) r = sh('npm', [...args, '--prefer-offline'], { cwd: dir, env });
  return must('npm install', r);
}

/** The TypeScript block of the README's "Use it from your own project" section. */
export function readmeExample() {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from your own project'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no ```ts block under "Use it from your own project"');
  return m[1];
}

/** Type-checks and compiles `source` as `<name>.ts` against the installed package's .d.ts, then runs it with `args`. */
export function compileAndRun(dir, name, source, args = []) {
  writeFileSync(path.join(dir, `${name}.ts`), source);
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      outDir: 'out',
      typeRoots: [path.join(root, 'node_modules', '@types')],
      types: ['node'],
    },
    files: [`${name}.ts`],
  };
  writeFileSync(path.join(dir, `tsconfig.${name}.json`), JSON.stringify(tsconfig, null, 2));
  const tsc = must(`tsc ${name}.ts`, sh(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', `tsconfig.${name}.json`], { cwd: dir }));
  const run = must(`node out/${name}.js`, sh(process.execPath, [path.join('out', `${name}.js`), ...args], { cwd: dir }));
  return { stdout: run.stdout, compileSeconds: tsc.seconds, seconds: run.seconds };
}

/** The README example, compiled and run in the project. */
export function runExample(dir, args = []) {
  return compileAndRun(dir, 'example', readmeExample(), args);
}

/** `npx resdistill doctor --json` in the project: the parsed report and the exit status. */
export function doctorIn(dir) {
  const r = sh('npx', ['--no-install', 'resdistill', 'doctor', '--json'], { cwd: dir, env: { RESDISTILL_ADDON: '' } });
  return { status: r.status, report: JSON.parse(r.stdout), stderr: r.stderr };
}
