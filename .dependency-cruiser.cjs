// The architecture of src/, checked by `npm run lint` (dependency-cruiser): no import cycle (type-only imports
// included), and each layer imports only the layers listed before it. Lowest first.
const LAYERS = [
  ['util'], // errors, numbers, CSV, PNG, bounded text input, input limits, atomic writes
  ['stats'], // metrics, bootstraps and tests: pure numbers
  ['native'], // the addon, the job runner, the typed job catalogue and its wire types, devices
  ['config'], // the experiment config: schema (every default), loading, grouping checks
  ['slide', 'store', 'weights', 'cost'], // domains over native jobs; none imports another of this row
  ['report'], // results.json -> tables, tests, plots
  ['experiment'], // plan, run, resume, collect
  ['predict'], // a model on a slide
  ['onnx', 'viewer'], // export, the slide viewer
  ['cli', 'entry', 'api.ts'], // entry points
  ['index.ts'], // the package's main entry: the library API
];
const at = (name) => `^src/${name}${name.endsWith('.ts') ? '$' : '/'}`;
const above = (i) => LAYERS.slice(i + 1).flat();
const sameRow = (row) => row.flatMap((a) => row.filter((b) => b !== a).map((b) => [a, b]));
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'an import cycle', from: {}, to: { circular: true } },
    ...LAYERS.flatMap((row, i) =>
      (i === LAYERS.length - 1 ? [] : row).map((name) => ({
        name: `layer-${name}`,
        severity: 'error',
        comment: `src/${name} imports only the layers below it`,
        from: { path: at(name) },
        to: { path: above(i).map(at) },
      })),
    ),
    ...LAYERS.flatMap((row) =>
      sameRow(row).map(([a, b]) => ({ name: `sibling-${a}-${b}`, severity: 'error', from: { path: at(a) }, to: { path: at(b) } })),
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|build|node_modules)' },
  },
};
