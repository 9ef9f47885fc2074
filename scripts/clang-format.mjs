// clang-format over the tracked C++ (.clang-format at the root): `--check` fails on any file it would change.
import { execFileSync, spawnSync } from 'node:child_process';

const check = process.argv.includes('--check');
const files = execFileSync('git', ['ls-files', 'native/*.cc', 'native/*.h', 'native/*.cu'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const args = check ? ['--dry-run', '--Werror', ...files] : ['-i', ...files];
const r = spawnSync('clang-format', args, { stdio: 'inherit' });
if (r.error) {
  console.error(`clang-format not found (${r.error.message}): install Debian's clang-format (node scripts/setup.mjs does, as root)`);
  process.exit(1);
}
if (r.status === 0) console.log(`clang-format: ${files.length} files ${check ? 'formatted' : 'written'}`);
process.exit(r.status ?? 1);
