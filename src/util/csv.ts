// CSV as RFC 4180 defines it: every file resdistill writes (tiles.csv, results.csv) opens the same in any reader.
// A field holding a comma, a quote, CR or LF is quoted, its quotes doubled; records end with CRLF. A text field a
// spreadsheet would run as a formula (starting with = + - @ tab or CR, OWASP's CSV injection list) gets a leading
// apostrophe, so a class or experiment name such as =HYPERLINK(...) is shown, not evaluated; numbers are kept.

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** One field; null and undefined are empty. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const text = String(v);
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(text) && !NUMBER.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A header and its records as one CSV text. */
export function csvText(header: unknown[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

/** Parses RFC 4180 text (what csvText writes) into records of fields; a trailing line break ends the last record. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      (row.push(field), rows.push(row), (row = []), (field = ''));
    } else field += c;
  }
  if (field !== '' || row.length > 0) (row.push(field), rows.push(row));
  return rows;
}
