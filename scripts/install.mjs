#!/usr/bin/env node
// npm's install step. In a consumer's project: use the shipped prebuild when it loads and links the LibTorch it
// records, else build from source (never downloads a binary). In a clone of the repository it does nothing:
// scripts/setup.mjs builds there, and `npm ci` must not.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildAddon, missingPrerequisites, neededPackages, prerequisiteAdvice } from './build-addon.mjs';
import { isSourceCheckout, prebuildDir, root } from './layout.mjs';
import { chosenLibtorch } from './system-packages.mjs';

/** Why the shipped prebuild cannot be used here, or null when it fits. */
function prebuildMisfit() {
  if (process.env.npm_config_build_from_source === 'true' || process.env.RESDISTILL_BUILD_FROM_SOURCE)
    return 'building from source was asked for';
  if (chosenLibtorch()) return `LibTorch was chosen (${chosenLibtorch()}); the prebuild links Debian's`;
  const dir = prebuildDir();
  const binary = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.node')) : undefined;
  if (!binary) return `no prebuild for ${process.platform}-${process.arch}`;
  const record = path.join(dir, 'libtorch.json');
  if (!existsSync(record)) return `the prebuild in ${dir} has no libtorch.json record`;
  const wanted = JSON.parse(readFileSync(record, 'utf8')).version;
  try {
    const addon = createRequire(import.meta.url)(path.join(dir, binary));
    if (addon.torchVersion !== wanted) return `the prebuild reports LibTorch ${addon.torchVersion}, its record says ${wanted}`;
  } catch (e) {
    return `the prebuild does not load: ${String(e.message).split('\n')[0]}`;
  }
  return null;
}

if (!isSourceCheckout(root)) {
  const misfit = prebuildMisfit();
  if (misfit === null) {
    console.log(`resdistill: using the prebuilt addon for ${process.platform}-${process.arch} (${path.relative(root, prebuildDir())})`);
  } else {
    console.error(`resdistill: ${misfit}; building from source`);
    const missing = missingPrerequisites();
    if (missing.length > 0) {
      console.error(prerequisiteAdvice(missing));
      process.exit(1);
    }
    process.exitCode = buildAddon();
    if (process.exitCode !== 0)
      console.error(`resdistill: the source build failed (see above)\n${prerequisiteAdvice(neededPackages(), 'it needs')}`);
  }
}
