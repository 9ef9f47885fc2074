// User-written text inputs (JSON, YAML and CSV configs, results.json): read as UTF-8 with a leading byte-order mark
// dropped, since editors such as Notepad and Excel write one and it is invisible in every message that would quote
// it; read up to a size limit, so a device file or an endless stream (/dev/zero, a FIFO) fails clearly instead of
// growing memory until the process is killed.
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './errors.js';

import { MAX_TEXT_INPUT_BYTES } from './input-limits.js';

const CHUNK = 1024 * 1024;

export function readTextInput(file: string, limit = MAX_TEXT_INPUT_BYTES): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const fd = openSync(file, 'r');
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) {
        throw new ConfigError(
          'CONFIG_INVALID',
          `${file} is larger than ${limit} bytes (a device file or an endless stream?); refused before reading it all`,
        );
      }
    }
  } finally {
    closeSync(fd);
  }
  const text = Buffer.concat(chunks, total).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
