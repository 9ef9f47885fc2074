// User-written text inputs (JSON, YAML and CSV configs): read as UTF-8 with a leading byte-order mark dropped,
// since editors such as Notepad and Excel write one and it is invisible in every message that would quote it.
import { readFileSync } from 'node:fs';

export function readTextInput(file: string): string {
  const text = readFileSync(file, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
