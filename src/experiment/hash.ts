// Stable run keys: sha256 of canonical JSON (sorted keys, no undefined), so key order or formatting never matters.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; undefined fields are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot hash a non-finite number (${value})`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Full sha256 hex of the canonical JSON. */
export function sha256Of(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** The run key: the first 16 hex digits (64 bits) of the sha256, short enough for directory names. */
export function runKey(identity: unknown): string {
  return sha256Of(identity).slice(0, 16);
}
