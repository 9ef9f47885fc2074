// Per-class behaviour a headline accuracy hides: a confusion matrix and each class's recall and precision, per method
// and magnification, on the held-out predictions of all seeds pooled.
import { type Method, METHOD_ORDER, type Results } from './results.js';
import { METHOD_LABELS } from './summary.js';
import { escapeHtml } from './tables.js';
import { escapeMarkdown } from './markdown.js';

export interface PerClass {
  method: Method;
  magnification: number;
  seeds: number;
  classes: string[];
  /** counts[true][predicted] over every seed's test predictions. */
  counts: number[][];
  recall: (number | null)[];
  precision: (number | null)[];
}

const argmax = (p: number[]) => p.reduce((best, v, i) => (v > p[best]! ? i : best), 0);

/** One block per (method, magnification) whose runs kept their predictions; sweep fractions below 1 are left out. */
export function perClass(results: Results): PerClass[] {
  const groups = new Map<string, Results['runs']>();
  for (const r of results.runs) {
    if (!r.samples || (r.unlabeledFraction !== undefined && r.unlabeledFraction < 1)) continue;
    const key = `${r.method}@${r.magnification}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: PerClass[] = [];
  for (const runs of groups.values()) {
    const k = Math.max(...runs.flatMap((r) => r.samples!.probs.map((p) => p.length)));
    const classes = results.classes?.length === k ? results.classes : Array.from({ length: k }, (_, i) => `class ${i}`);
    const counts = classes.map(() => classes.map(() => 0));
    for (const r of runs) r.samples!.labels.forEach((y, i) => counts[y]![argmax(r.samples!.probs[i]!)]!++);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    out.push({
      method: runs[0]!.method,
      magnification: runs[0]!.magnification,
      seeds: runs.length,
      classes,
      counts,
      recall: counts.map((row, c) =>
        ratio(
          row[c]!,
          row.reduce((s, v) => s + v, 0),
        ),
      ),
      precision: classes.map((_, c) =>
        ratio(
          counts[c]![c]!,
          counts.reduce((s, row) => s + row[c]!, 0),
        ),
      ),
    });
  }
  return out.sort((a, b) => b.magnification - a.magnification || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method));
}

const pct = (v: number | null) => (v === null ? '–' : (100 * v).toFixed(0));

/** A small card per block: rows are true classes, columns predicted; cells shaded by the row's share. */
export function htmlPerClass(blocks: PerClass[]): string {
  return blocks
    .map((b) => {
      const head = b.classes.map((c) => `<th class="num" title="predicted ${escapeHtml(c)}">${escapeHtml(c)}</th>`).join('');
      const rows = b.counts
        .map((row, t) => {
          const total = row.reduce((s, v) => s + v, 0) || 1;
          const cells = row
            .map(
              (v, p) =>
                `<td class="num" style="background: rgba(33,102,172,${((0.75 * v) / total).toFixed(2)})${v / total > 0.5 ? '; color: #fff' : ''}">${v}</td>`,
            )
            .join('');
          return `<tr><th>${escapeHtml(b.classes[t]!)}</th>${cells}<td class="num">${pct(b.recall[t]!)}</td></tr>`;
        })
        .join('');
      const precision = b.precision.map((p) => `<td class="num">${pct(p)}</td>`).join('');
      return `<figure class="confusion" data-method="${b.method}" data-magnification="${b.magnification}">
<figcaption><strong>${escapeHtml(METHOD_LABELS[b.method])} ${b.magnification}x</strong> · ${b.seeds} seed${b.seeds === 1 ? '' : 's'} pooled</figcaption>
<table><thead><tr><th>true \\ predicted</th>${head}<th class="num">recall %</th></tr></thead>
<tbody>${rows}<tr class="precision"><th>precision %</th>${precision}<td></td></tr></tbody></table>
</figure>`;
    })
    .join('\n');
}

/** The same as Markdown: recall and precision per class, one row per method and magnification. */
export function markdownPerClass(blocks: PerClass[]): string {
  if (blocks.length === 0) return '';
  const classes = blocks[0]!.classes;
  const head = `| Method | Mag. | ${classes.map((c) => `${escapeMarkdown(c)} recall / precision %`).join(' | ')} |`;
  const rule = `| --- | ---: | ${classes.map(() => '---:').join(' | ')} |`;
  const body = blocks.map(
    (b) =>
      `| ${METHOD_LABELS[b.method]} | ${b.magnification}x | ${b.classes.map((_, c) => `${pct(b.recall[c]!)} / ${pct(b.precision[c]!)}`).join(' | ')} |`,
  );
  return [head, rule, ...body].join('\n');
}

export const PER_CLASS_NOTE =
  'Confusion matrices count every test prediction of every seed (rows: true class, columns: predicted, the most probable class). ' +
  'Recall: share of a class found; precision: share of the predictions of a class that are right.';
