#!/usr/bin/env node
// `npm publish` guard: the package must carry the linux-x64 prebuild and its libtorch.json, or every linux-x64 user
// would build from source. `npm pack` itself does not need it (the pack test and the from-source bench use both).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './layout.mjs';

const dir = path.join(root, 'prebuilds', 'linux-x64');
const binary = existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.node'));
if (!binary || !existsSync(path.join(dir, 'libtorch.json'))) {
  console.error(`resdistill: ${dir} lacks the prebuild or its libtorch.json; run \`npm run prebuild\` on linux-x64 before publishing`);
  process.exit(1);
}
