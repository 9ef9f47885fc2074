#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/ (compiled from src/ by `npm run build:ts`, which setup runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('resdistill: dist/ is missing. Run `npm run setup` (or `npm run build:ts`) first.');
  process.exit(1);
}
await import(main.href);
