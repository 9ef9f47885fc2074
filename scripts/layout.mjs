// Where things are in this package, both in a clone of the repository and when installed in someone's node_modules.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the repository checkout, or node_modules/resdistill in a consumer's project. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The TypeScript sources never ship, so their presence marks a clone of the repository (whose set-up builds everything). */
export function isSourceCheckout(dir = root) {
  return existsSync(path.join(dir, 'src', 'index.ts'));
}

/** node-gyp-build's folder for this platform's prebuilt N-API binary and its libtorch.json record. */
export function prebuildDir(dir = root) {
  return path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
}
