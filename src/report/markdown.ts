// User strings (experiment and class names) in report.md: shown as written, never read as Markdown or HTML.
// HTML's special characters become entities, Markdown's are backslash-escaped, and line breaks become spaces so a
// name cannot end its heading or table row and start a block of its own.

export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`);
}
