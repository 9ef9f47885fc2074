// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with findings, plots and table.
import type { Results } from './results.js';
import { type Answer, teacherCheckLines } from './answer.js';
import type { Comparison } from './comparisons.js';
import { costChecks } from './cost-notes.js';
import { findings, mainRows, type SummaryRow } from './summary.js';
import { COMPARISON_NOTE, escapeHtml, htmlComparisons, htmlTable, METRIC_COLUMNS, METRICS_NOTE, TABLE_NOTE } from './tables.js';
import { htmlPerClass, PER_CLASS_NOTE, perClass } from './per-class.js';

export interface RenderedPlot {
  id: string;
  title: string;
  caption: string;
  svg: string;
}

const STYLE = `
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --accent: #2166ac; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 "Helvetica Neue", Helvetica, Arial, sans-serif; color: var(--ink); background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 24px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 17px; margin: 28px 0 10px; font-weight: 600; }
.meta { color: var(--muted); margin: 0; }
.banner { margin: 16px 0 0; padding: 10px 14px; border-radius: 6px; font-weight: 600; }
.banner.synthetic { background: #fff4d6; border: 1px solid #e3b341; color: #7a4f01; }
.banner.partial { background: #ffebe9; border: 1px solid #ff8182; color: #82071e; }
.banner.answer { background: #ddf4ff; border: 1px solid #54aeff; color: #0a3069; font-weight: normal; }
.badge { display: inline-block; margin-left: 8px; padding: 1px 8px; border-radius: 10px; font-size: 12px; vertical-align: middle;
  background: #e3b341; color: #3d2a00; letter-spacing: 0.04em; }
ul.findings { margin: 0; padding-left: 20px; }
ul.findings li { margin: 2px 0; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
.table-wrap { background: #fff; border: 1px solid var(--line); border-radius: 8px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { padding: 5px 6px; border-bottom: 1px solid #eaeef2; white-space: nowrap; text-align: left; }
th { white-space: normal; vertical-align: bottom; }
th { background: #f6f8fa; font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr[data-method="teacher"] td { background: #f3f4f6; font-weight: 600; }
tr[data-method="kd"] td:first-child { color: #2166ac; font-weight: 600; }
tr[data-method="kd+init"] td:first-child { color: #7b3294; font-weight: 600; }
tr[data-method="kd+at"] td:first-child { color: #e08214; font-weight: 600; }
tr[data-method="kd-progressive"] td:first-child { color: #8c510a; font-weight: 600; }
tr[data-method="kd-unlabeled"] td:first-child { color: #1b7a5e; font-weight: 600; }
tr[data-method="baseline"] td:first-child { color: #b2432f; }
.note { color: var(--muted); font-size: 12px; margin: 8px 2px 0; }
#plot-training-curves { grid-column: 1 / -1; }
.confusions { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
figure.confusion table { width: auto; font-size: 12px; }
figure.confusion th, figure.confusion td { padding: 3px 6px; }
figure.confusion figcaption { margin: 0 0 6px; color: var(--ink); }
figure.confusion tr.precision th, figure.confusion tr.precision td { color: var(--muted); border-bottom: none; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
footer code { background: #eef1f4; padding: 1px 5px; border-radius: 4px; }
`;

/** The teacher check and what limits the statistics, under the answer. */
function answerDetails(ans: Answer, results: Results): string {
  const checks = teacherCheckLines(ans, results);
  const list = checks.length
    ? `<ul class="findings" id="teacher-check">${checks.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
    : '';
  const warnings = ans.warnings.length ? `<p class="note" id="statistics-warnings">${ans.warnings.map(escapeHtml).join('<br>')}</p>` : '';
  return list + warnings;
}

function versionLine(results: Results): string {
  const v = results.versions as Record<string, any> | undefined;
  if (!v) return '';
  const parts: string[] = [];
  if (v.resdistill) parts.push(`resdistill ${v.resdistill}`);
  const lt = v.native?.libtorch;
  if (lt?.version) parts.push(`LibTorch ${lt.version}${lt.cuda?.available ? ` (CUDA ${(lt.cuda.devices ?? []).join(', ')})` : ' (CPU)'}`);
  if (v.native?.openslide) parts.push(`OpenSlide ${v.native.openslide}`);
  if (v.node) parts.push(`Node ${v.node}`);
  if (v.git?.sha) parts.push(`git ${String(v.git.sha).slice(0, 10)}${v.git.dirty ? ' (modified)' : ''}`);
  return parts.map((p) => `<code>${escapeHtml(p)}</code>`).join(' ');
}

export function renderHtml(results: Results, rows: SummaryRow[], plots: RenderedPlot[], comps: Comparison[] = [], ans?: Answer): string {
  const synthetic = results.synthetic;
  const title = `${results.experiment}${synthetic ? ' (SYNTHETIC data)' : ''}`;
  const seeds = [...new Set(results.runs.map((r) => r.seed))].sort((a, b) => a - b);
  const facts = findings(rows);
  const { notes: costNotes, warnings } = costChecks(rows);
  const banner = synthetic
    ? `<div class="banner synthetic" id="synthetic-banner">SYNTHETIC DATA: generated slides, not tissue. These numbers show the pipeline and the method's effect on a controlled problem; they say nothing about clinical accuracy.</div>`
    : '';
  const partial = results.complete
    ? ''
    : `<div class="banner partial" id="partial-banner">PARTIAL: ${results.runs.length}${results.plannedRuns ? ` of ${results.plannedRuns}` : ''} runs have finished. Run the same <code>resdistill run</code> again to finish the rest (finished runs are kept).</div>`;
  const figures = plots
    .map(
      (p) =>
        `<figure id="plot-${escapeHtml(p.id)}" class="plot">\n${p.svg}\n<figcaption>${escapeHtml(p.caption)}${synthetic ? ' <strong>SYNTHETIC data.</strong>' : ''}</figcaption>\n</figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>resdistill report: ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>Resolution-based distillation: ${escapeHtml(results.experiment)}${synthetic ? '<span class="badge">SYNTHETIC</span>' : ''}</h1>
<p class="meta">${results.runs.length} runs · seeds ${seeds.join(', ') || '–'}${results.teacherMagnification ? ` · teacher ${results.teacherMagnification}x` : ''}${results.generatedAt ? ` · ${escapeHtml(results.generatedAt)}` : ''}</p>
${results.dataDescription ? `<p class="meta">${escapeHtml(results.dataDescription)}</p>` : ''}
${banner}
${partial}
</header>
${ans ? `<section id="answer"><div class="banner answer"><strong>Answer:</strong> ${escapeHtml(ans.text)}</div>${answerDetails(ans, results)}</section>` : ''}
${facts.length ? `<section id="findings"><h2>Findings (mean accuracy over seeds)</h2><ul class="findings">${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul></section>` : ''}
${warnings.length ? `<section id="cost-warnings"><div class="banner partial">${warnings.map((w) => `FLOPs check: ${escapeHtml(w)}`).join('<br>')}</div></section>` : ''}
${costNotes.length ? `<section id="cost-notes"><p class="note">${costNotes.map((w) => `FLOPs note: ${escapeHtml(w)}`).join('<br>')}</p></section>` : ''}
<section id="plots"><h2>Plots</h2><div class="plots">
${figures || '<p class="note">No plottable runs yet.</p>'}
</div></section>
<section id="table"><h2>Results</h2>
<div class="table-wrap">
${htmlTable(mainRows(rows))}
</div>
<p class="note">${escapeHtml(TABLE_NOTE)}</p>
</section>
<section id="metrics"><h2>Metrics with intervals</h2>
<div class="table-wrap">
${htmlTable(mainRows(rows), METRIC_COLUMNS, 'metrics-table')}
</div>
<p class="note">${escapeHtml(METRICS_NOTE)}</p>
</section>
${((blocks) =>
  blocks
    ? `<section id="per-class"><h2>Per class</h2><div class="confusions">
${blocks}
</div><p class="note">${escapeHtml(PER_CLASS_NOTE)}</p></section>`
    : '')(htmlPerClass(perClass(results)))}
${comps.length ? `<section id="comparisons"><h2>Paired comparisons</h2>\n<div class="table-wrap">\n${htmlComparisons(comps, ans?.metric ?? results.statistics.metric)}\n</div>\n<p class="note">${escapeHtml(COMPARISON_NOTE)}</p>\n</section>` : ''}
<footer>Made by resdistill (DiPalma et al., Artificial Intelligence in Medicine 119:102136, 2021). ${versionLine(results)}</footer>
</main>
</body>
</html>
`;
}
