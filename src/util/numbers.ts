// Numbers parsed once: every numeric CLI flag and text field goes through parseNumber, which accepts only a plain
// finite decimal inside its allowed range and otherwise throws CONFIG_INVALID naming the field and that range.
import { makeError } from './errors.js';

export interface NumberRange {
  min?: number;
  max?: number;
  /** true: the bound itself is not allowed, e.g. (0, 1000]. */
  minExclusive?: boolean;
  integer?: boolean;
}

/** The allowed ranges, one home for each: microns per pixel and magnification (10 / mpp) of a slide or a read. */
export const RANGES = {
  mpp: { min: 0.01, max: 1000 },
  magnification: { min: 0.01, max: 1000 },
  positive: { min: 0, minExclusive: true },
  fraction: { min: 0, max: 1 },
  points: { min: 0, max: 100 },
  saturation: { min: 0, max: 255 },
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  threads: { min: 1, max: 1024, integer: true },
  count: { min: 1, max: 1_000_000, integer: true },
  /** A process's place in a group: a rank or a node's index. */
  index: { min: 0, max: 1_000_000, integer: true },
  /** A TCP port with the next one free too: consecutive training steps meet at port and port + 1. */
  port: { min: 1, max: 65534, integer: true },
  any: {},
} satisfies Record<string, NumberRange>;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** "(0, 1000]", "an integer in [1, 1024]", "any finite number": the range as a message names it. */
export function describeRange(r: NumberRange): string {
  const kind = r.integer ? 'an integer' : 'a number';
  if (r.min === undefined && r.max === undefined) return `${kind} (finite)`;
  if (r.max === undefined) return `${kind} ${r.minExclusive ? '>' : '>='} ${r.min}`;
  if (r.min === undefined) return `${kind} <= ${r.max}`;
  return `${kind} in ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}]`;
}

/** Parses `text` as a finite decimal inside `range`; `name` (e.g. "--mag") leads the CONFIG_INVALID message. */
export function parseNumber(text: string, name: string, range: NumberRange = {}): number {
  const trimmed = String(text).trim();
  const n = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  const fits =
    Number.isFinite(n) &&
    (!range.integer || Number.isInteger(n)) &&
    (range.min === undefined || (range.minExclusive ? n > range.min : n >= range.min)) &&
    (range.max === undefined || n <= range.max);
  if (!fits) throw makeError('CONFIG_INVALID', `${name} must be ${describeRange(range)}, got '${text}'`);
  return n;
}

/** A commander option parser for `--flag <n>` (commander passes the text; the error surfaces as CONFIG_INVALID). */
export function numberOption(flag: string, range: NumberRange = {}): (text: string) => number {
  return (text: string) => parseNumber(text, flag, range);
}
