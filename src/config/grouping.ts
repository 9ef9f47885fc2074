// What a data CSV's columns mean for the statistics: without a `group` column every slide (or image) becomes its own
// group, so a patient with several slides can straddle the splits and count as several independent units.
import { closeSync, openSync, readSync } from 'node:fs';
import type { ResolvedExperiment } from './load.js';

/** The header line of a CSV (the first 64 KiB suffice for any header); null when the file cannot be read. */
function headerOf(file: string): string[] | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const first =
      buffer
        .subarray(0, n)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0] ?? '';
    return first.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  } catch {
    return null; // the extraction names an unreadable CSV with its own typed error
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** One warning per data CSV of the config that has no `group` column. */
export function groupingWarnings(c: { data: ResolvedExperiment['data'] }): string[] {
  if (c.data.source !== 'slides' && c.data.source !== 'images') return [];
  const csvs = [c.data.csv, c.data.test !== undefined && c.data.test.toLowerCase().endsWith('.csv') ? c.data.test : undefined].filter(
    (f): f is string => f !== undefined,
  );
  const unit = c.data.source === 'slides' ? 'slide' : 'image';
  return csvs
    .filter((f) => headerOf(f)?.includes('group') === false)
    .map(
      (f) =>
        `${f} has no group column: each ${unit} becomes its own group, so a patient with several ${unit}s may straddle the splits and count as several independent units in every interval. Add a group column (the patient id) to keep a patient's ${unit}s together.`,
    );
}
