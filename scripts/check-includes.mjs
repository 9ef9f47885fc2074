// The C++ core's architecture, checked by `npm run lint`: each folder of native/core includes only the folders
// listed before it (no upward arrow, so no folder cycle), no header cycle, and never Node's napi.h.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Lowest first. */
const LAYERS = [
  'util',
  'job',
  'image',
  'store',
  'image_io',
  'data',
  'models',
  'synth',
  'run',
  'cost',
  'slide',
  'eval',
  'train',
  'bench',
  'info',
];
const CORE = 'native/core';

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(cc|h)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

const problems = [];
const graph = new Map(); // core-relative file -> core-relative includes
for (const file of sources(CORE)) {
  const rel = path.relative(CORE, file);
  const includes = [...readFileSync(file, 'utf8').matchAll(/^#include\s+["<]([^">]+)[">]/gm)].map((m) => m[1]);
  if (includes.some((i) => /(^|\/)napi\.h$/.test(i)))
    problems.push(`${file}: native/core never includes napi.h (bindings live in native/addon)`);
  const local = includes.filter((i) => i.includes('/') && LAYERS.includes(i.split('/')[0]));
  graph.set(rel, local);
  const from = rel.split('/')[0];
  if (!rel.includes('/')) continue; // pch.h: the precompiled header, LibTorch only
  if (!LAYERS.includes(from)) problems.push(`${file}: folder '${from}' is not in scripts/check-includes.mjs's LAYERS`);
  for (const inc of local) {
    const to = inc.split('/')[0];
    if (LAYERS.indexOf(to) > LAYERS.indexOf(from))
      problems.push(`${file}: includes ${inc}, a layer above ${from}/ (order: ${LAYERS.join(' < ')})`);
  }
}
// Header cycles (a folder cycle is already an upward arrow above).
const state = new Map();
const stack = [];
function visit(f) {
  state.set(f, 'open');
  stack.push(f);
  for (const g of graph.get(f) ?? []) {
    if (state.get(g) === 'open') problems.push(`include cycle: ${[...stack.slice(stack.indexOf(g)), g].join(' -> ')}`);
    else if (!state.has(g) && graph.has(g)) visit(g);
  }
  stack.pop();
  state.set(f, 'done');
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`native/core: ${graph.size} files, no upward include and no cycle (${LAYERS.join(' < ')})`);
