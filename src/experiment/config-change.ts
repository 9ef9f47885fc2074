// A rerun into an --out that holds another config's run: refused (RUN_CONFIG_CHANGED) unless forced, and then the
// previous config.json and results.json are kept beside the new ones, never silently replaced.
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { makeError } from '../util/errors.js';

/** evaluation.margin and evaluation.metric only change how results.json is read (the answer): no run depends on them. */
function runFields(c: Record<string, unknown>): Record<string, unknown> {
  const evaluation = c.evaluation as Record<string, unknown> | undefined;
  if (!evaluation || typeof evaluation !== 'object') return c;
  const { margin: _margin, metric: _metric, tolerance: _tolerance, ...rest } = evaluation; // tolerance: margin's old name
  return { ...c, evaluation: rest };
}

/** Top-level fields of the config that differ, for the message. */
function changedFields(previousConfig: Record<string, unknown>, nextConfig: Record<string, unknown>): string[] {
  const previous = runFields(previousConfig);
  const next = runFields(nextConfig);
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(next)])];
  return keys.filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(next[k]));
}

/**
 * Checks `outDir/config.json` against `config` (as JSON). Same or absent: null. Different: RUN_CONFIG_CHANGED,
 * or with `force` the old config.json and results.json move to `previous-<time>/`, whose path is returned.
 */
export function guardConfigChange(outDir: string, config: unknown, force: boolean): string | null {
  const file = path.join(outDir, 'config.json');
  if (!existsSync(file)) return null;
  let previous: Record<string, unknown>;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {}; // unreadable: treat as another config
  }
  const next = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const changed = changedFields(previous, next);
  if (changed.length === 0) return null;
  if (!force) {
    throw makeError(
      'RUN_CONFIG_CHANGED',
      `${outDir} holds a run of another config (changed: ${changed.join(', ')}); its results.json and config.json would be replaced. Use another --out, or --force to keep the old ones in ${outDir}/previous-<time>/ and go on (finished runs of unchanged settings are reused).`,
    );
  }
  const keep = path.join(outDir, `previous-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(keep, { recursive: true });
  for (const name of ['config.json', 'results.json']) {
    if (existsSync(path.join(outDir, name))) renameSync(path.join(outDir, name), path.join(keep, name));
  }
  return keep;
}
