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
